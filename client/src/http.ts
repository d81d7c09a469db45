// Queries and mutations over GraphQL over HTTP (fetch: browsers, React Native, Node ≥ 18). A 401 asks
// getToken for a fresh token once and tries again. A request without an answer within timeoutMs is aborted
// and fails as NETWORK: a request sent into a connection that died silently (a pooled keep-alive socket
// after a network change) would otherwise wait for the runtime's own limit, minutes in Node.
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core'
import { SwitchboardError, type GraphQLErrorLike } from './errors.js'

export type GetToken = (options: { forceRefresh: boolean }) => string | Promise<string>

/** A typed document: the generated TypedDocumentString, or anything whose toString() is the query text. */
export type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string }

export type Execute = <TResult, TVariables>(document: Document<TResult, TVariables>, variables: TVariables) => Promise<TResult>

export function httpExecutor(options: { url: string; getToken: GetToken; fetch?: typeof fetch; timeoutMs?: number }): Execute {
  const timeoutMs = options.timeoutMs ?? 30_000
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args))
  return async function execute<TResult, TVariables>(document: Document<TResult, TVariables>, variables: TVariables): Promise<TResult> {
    const body = JSON.stringify({ query: document.toString(), variables: variables ?? {} })
    for (let attempt = 0; ; attempt++) {
      const token = await options.getToken({ forceRefresh: attempt > 0 })
      const abort = new AbortController()
      let timedOut = false
      const timer = Number.isFinite(timeoutMs) && timeoutMs > 0 ? setTimeout(() => ((timedOut = true), abort.abort()), timeoutMs) : null
      let response: Response
      let json: { data?: TResult | null; errors?: GraphQLErrorLike[] }
      try {
        try {
          response = await doFetch(options.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/graphql-response+json, application/json',
              authorization: `Bearer ${token}`,
            },
            body,
            signal: abort.signal,
          })
        } catch (cause) {
          const message = timedOut ? `no answer within ${timeoutMs} ms` : ((cause as Error)?.message ?? String(cause))
          throw new SwitchboardError(`Network error: ${message}`, 'NETWORK', { cause })
        }
        try {
          json = (await response.json()) as typeof json
        } catch (cause) {
          if (timedOut)
            throw new SwitchboardError(`Network error: no complete answer within ${timeoutMs} ms`, 'NETWORK', {
              status: response.status,
              cause,
            })
          const code = response.status >= 500 ? 'UNAVAILABLE' : 'NETWORK'
          throw new SwitchboardError(`HTTP ${response.status} without a GraphQL answer`, code, { status: response.status, cause })
        }
      } finally {
        if (timer) clearTimeout(timer)
      }
      if (json.errors?.length) {
        const error = SwitchboardError.fromGraphQLErrors(json.errors, response.status)
        if (error.code === 'UNAUTHENTICATED' && attempt === 0) continue
        throw error
      }
      if (json.data == null)
        throw new SwitchboardError(
          `HTTP ${response.status} without data`,
          response.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL_SERVER_ERROR',
          { status: response.status },
        )
      return json.data
    }
  }
}
