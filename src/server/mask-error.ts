import { GraphQLError } from 'graphql'
import { PothosValidationError } from '@pothos/core'
import { maskError as yogaMaskError } from 'graphql-yoga'

// Expected errors (GraphQLError with a code) pass through. Two kinds of unexpected error are really the
// client's input and become BAD_USER_INPUT: Pothos input validation (e.g. a malformed cursor) and
// PostgreSQL data exceptions (SQLSTATE class 22: a NUL byte in a string, a malformed uuid in a cursor),
// which also roll back whatever was being written. Everything else is masked by Yoga's default.
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const code = errorCode(error)
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
  return 'INTERNAL_SERVER_ERROR'
}

function isPostgresDataException(error: unknown): boolean {
  const sqlState = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta?.driverAdapterError?.cause?.originalCode
  return typeof sqlState === 'string' && sqlState.startsWith('22')
}

function inputErrorMessage(error: GraphQLError): string {
  const original = error.originalError
  if (original instanceof PothosValidationError) return original.message
  if (original && isPostgresDataException(original)) return 'Invalid input value (text must not contain NUL characters; ids and cursors must be well-formed)'
  return error.message
}
