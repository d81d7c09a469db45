// Expected errors: GraphQLErrors with a stable extensions.code (CONTRACT.md). Anything else is masked.
import { GraphQLError } from 'graphql'

export type ErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'RATE_LIMITED' | 'PAYLOAD_TOO_LARGE' | 'UNAVAILABLE'

const httpStatus: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, PAYLOAD_TOO_LARGE: 413 }

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    const status = httpStatus[code]
    super(message, { extensions: { code, ...extensions, ...(status && { http: { status } }) } })
  }
}

export const unauthenticated = (message = 'Authentication required: send a valid bearer token') => new AppError('UNAUTHENTICATED', message)
export const forbidden = (message = 'You are not allowed to do this') => new AppError('FORBIDDEN', message)
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`)
export const badInput = (message: string, field?: string) => new AppError('BAD_USER_INPUT', message, field ? { field } : {})
export const conflict = (message: string, extensions: Record<string, unknown> = {}) => new AppError('CONFLICT', message, extensions)
