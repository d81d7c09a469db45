import { GraphQLError } from 'graphql'
import { PothosValidationError } from '@pothos/core'
import { maskError as yogaMaskError } from 'graphql-yoga'

// Expected errors (GraphQLError with a code) pass through; Pothos input validation becomes
// BAD_USER_INPUT; everything else is masked as "Unexpected error." by Yoga's default.
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error
  if (original instanceof PothosValidationError && error instanceof GraphQLError)
    return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: { code: 'BAD_USER_INPUT' } })
  return yogaMaskError(error, message, isDev)
}
