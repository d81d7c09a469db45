// Queries and mutations over GraphQL over HTTP (fetch: browsers, React Native, Node ≥ 18). A 401 asks
// getToken for a fresh token once and tries again.
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core'
import { SwitchboardError, type GraphQLErrorLike } from './errors.js'

export type GetToken = (options: { forceRefresh: boolean }) => string | Promise<string>

/** A typed document: the generated TypedDocumentString, or anything whose toString() is the query text. */
export type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string }

export type Execute = <TResult, TVariables>(document: Document<TResult, TVariables>, variables: TVariables) => Promise<TResult>

export function httpExecutor(options: { url: string; getToken: GetToken; fetch?: typeof fetch }): Execute {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args))
  return async function execute<TResult, TVariables>(document: Document<TResult, TVariables>, variables: TVariables): Promise<TResult> {
    const body = JSON.stringify({ query: document.toString(), variables: variables ?? {} })
    for (let attempt = 0; ; attempt++) {
      const token = await options.getToken({ forceRefresh: attempt > 0 })
      let response: Response
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
          body,
        })
      } catch (cause) {
        throw new SwitchboardError(`Network error: ${(cause as Error)?.message ?? String(cause)}`, 'NETWORK', { cause })
      }
      let json: { data?: TResult | null; errors?: GraphQLErrorLike[] }
      try {
        json = (await response.json()) as typeof json
      } catch (cause) {
        const code = response.status >= 500 ? 'UNAVAILABLE' : 'NETWORK'
        throw new SwitchboardError(`HTTP ${response.status} without a GraphQL answer`, code, { status: response.status, cause })
      }
      if (json.errors?.length) {
        const error = SwitchboardError.fromGraphQLErrors(json.errors, response.status)
        if (error.code === 'UNAUTHENTICATED' && attempt === 0) continue
        throw error
      }
      if (json.data == null) throw new SwitchboardError(`HTTP ${response.status} without data`, response.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL_SERVER_ERROR', { status: response.status })
      return json.data
    }
  }
}
