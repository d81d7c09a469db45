import { GraphQLError } from 'graphql'
import { PothosValidationError } from '@pothos/core'
import { maskError as yogaMaskError } from 'graphql-yoga'

// Expected errors (GraphQLError with a code) pass through. Two kinds of unexpected error are really the
// client's input and become BAD_USER_INPUT: Pothos input validation (e.g. a malformed cursor) and
// PostgreSQL data exceptions (SQLSTATE class 22: a NUL byte in a string, a malformed uuid in a cursor),
// which also roll back whatever was being written. Everything else is masked by Yoga's default.
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const code = errorCode(error)
  if (code === 'UNAVAILABLE' && !(error instanceof GraphQLError && error.extensions?.['code'])) return unavailable()
  if (code === 'BAD_USER_INPUT' && error instanceof GraphQLError && !error.extensions?.['code'])
    return new GraphQLError(shortMessage(inputErrorMessage(error)), { nodes: error.nodes, path: error.path, extensions: { code } })
  return yogaMaskError(error, message, isDev)
}

/** Error messages can quote the client's input: never more than a short prefix of it goes back. */
export const MAX_ERROR_MESSAGE = 200
export function shortMessage(message: string): string {
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE)}…` : message
}

/** The code a client sees for an error, as maskError will decide it (also used by the operation log). */
export function errorCode(error: unknown): string {
  if (error instanceof GraphQLError && typeof error.extensions?.['code'] === 'string') return error.extensions['code']
  const original = error instanceof GraphQLError ? error.originalError : error
  if (!original) return 'BAD_USER_INPUT' // a GraphQLError of its own: validation or variable coercion
  // graphql-js wraps a variable-coercion failure (a scalar's parseValue) around the GraphQLError it threw.
  if (original instanceof GraphQLError || (original as Error).name === 'GraphQLError') return 'BAD_USER_INPUT'
  if (original instanceof PothosValidationError || isPostgresDataException(original)) return 'BAD_USER_INPUT'
  if (isUnavailable(original)) return 'UNAVAILABLE'
  return 'INTERNAL_SERVER_ERROR'
}

/** How long a client should wait before retrying when a dependency is briefly unreachable. */
export const RETRY_AFTER_SECONDS = 1

/** The database (or another dependency) is briefly unreachable: a typed, retryable error (HTTP 503). */
export function unavailable(): GraphQLError {
  return new GraphQLError('A dependency of the server is briefly unavailable: retry shortly', {
    extensions: {
      code: 'UNAVAILABLE',
      retryAfter: RETRY_AFTER_SECONDS,
      http: { status: 503, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
    },
  })
}

// Prisma's codes for an unreachable or overloaded database, the driver adapter's error kinds, and
// PostgreSQL's SQLSTATEs for connection failures (class 08) and a server shutting down or starting (57P0x).
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024'])
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'DatabaseDoesNotExist',
])

export function isUnavailable(error: unknown): boolean {
  const e = error as {
    code?: unknown
    message?: unknown
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } }
    cause?: unknown
  }
  if (!e || typeof e !== 'object') return false
  if (
    typeof e.code === 'string' &&
    (UNAVAILABLE_PRISMA_CODES.has(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03'].includes(e.code))
  )
    return true
  if (/^08/.test(sqlStateOf(error) ?? '')) return true
  const cause = e.meta?.driverAdapterError?.cause
  if (cause && (UNAVAILABLE_KINDS.has(String(cause.kind)) || /^08|^57P0/.test(String(cause.originalCode ?? '')))) return true
  if (
    typeof e.message === 'string' &&
    /ECONNREFUSED|Connection terminated|Can't reach database server|Timed out fetching a new connection/.test(e.message)
  )
    return true
  return e.cause !== undefined && e.cause !== error && isUnavailable(e.cause)
}

function isPostgresDataException(error: unknown): boolean {
  const sqlState =
    (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta?.driverAdapterError?.cause?.originalCode ??
    sqlStateOf(error)
  return typeof sqlState === 'string' && sqlState.startsWith('22')
}

/** The SQLSTATE of an error from pg itself (the send statement runs through pg directly: db/client.ts queryDirect). */
function sqlStateOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; severity?: unknown } | null
  return e && typeof e === 'object' && typeof e.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)
    ? e.code
    : undefined
}

function inputErrorMessage(error: GraphQLError): string {
  const original = error.originalError
  if (original instanceof PothosValidationError) return original.message
  if (original && isPostgresDataException(original))
    return 'Invalid input value (text must not contain NUL characters; ids and cursors must be well-formed)'
  return error.message
}
