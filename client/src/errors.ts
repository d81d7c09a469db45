// One error type for everything the SDK reports: the server's `extensions.code` when there is one,
// NETWORK when the request never got an answer. `retryable` says whether trying again later can succeed
// (the outbox retries exactly those).

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK'
  | (string & {})

export interface GraphQLErrorLike {
  message: string
  path?: ReadonlyArray<string | number>
  extensions?: Record<string, unknown>
}

const RETRYABLE = new Set<string>(['NETWORK', 'UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR', 'UNAUTHENTICATED'])

export class SwitchboardError extends Error {
  readonly code: ErrorCode
  readonly extensions: Record<string, unknown>
  readonly errors: readonly GraphQLErrorLike[]
  /** HTTP status when the error came from an HTTP answer. */
  readonly status: number | undefined

  constructor(
    message: string,
    code: ErrorCode,
    options: { extensions?: Record<string, unknown>; errors?: readonly GraphQLErrorLike[]; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SwitchboardError'
    this.code = code
    this.extensions = options.extensions ?? {}
    this.errors = options.errors ?? []
    this.status = options.status
  }

  /** Whether the same request can succeed later (network, server briefly unavailable, rate limit, a token to refresh). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code)
  }

  /** Seconds the server asked to wait (RATE_LIMITED, UNAVAILABLE), when it said. */
  get retryAfter(): number | undefined {
    const value = this.extensions.retryAfter
    return typeof value === 'number' ? value : undefined
  }

  static fromGraphQLErrors(errors: readonly GraphQLErrorLike[], status?: number): SwitchboardError {
    const first = errors[0]
    const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR'
    return new SwitchboardError(first?.message ?? 'GraphQL error', code, {
      extensions: first?.extensions,
      errors,
      ...(status !== undefined && { status }),
    })
  }
}
