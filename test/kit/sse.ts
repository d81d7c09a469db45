// GraphQL over SSE (distinct connections) with fetch, parsing the event stream as a browser would,
// including `id:` lines and Last-Event-ID on reconnect.
import { print } from 'graphql'
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import type { GraphQLErrorShape } from './execute.js'
import { collector } from './collector.js'

export interface SseMessage<TData> {
  id: string | undefined
  data: TData | undefined
  errors: GraphQLErrorShape[] | undefined
}

export interface SseStream<TData> {
  status: number
  messages: SseMessage<TData>[]
  /** Resolves once at least `count` `next` messages arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage<TData>[]>
  /** Resolves when the server sends `complete` or closes the stream. */
  done: Promise<void>
  close(): void
}

export async function sseSubscribe<TData, TVariables>(
  graphqlUrl: string,
  options: { document: TypedDocumentNode<TData, TVariables>; variables?: TVariables; token?: string; lastEventId?: string },
): Promise<SseStream<TData>> {
  const abort = new AbortController()
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    signal: abort.signal,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...(options.lastEventId && { 'last-event-id': options.lastEventId }),
    },
    body: JSON.stringify({ query: print(options.document), variables: options.variables ?? {} }),
  })
  const messages = collector<SseMessage<TData>>()
  const done = (async () => {
    if (!response.body) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields: Record<string, string> = {}
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue
            const colon = line.indexOf(':')
            const key = colon < 0 ? line : line.slice(0, colon)
            fields[key] = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
          }
          if (fields['event'] === 'complete') return
          if (fields['data']) {
            const payload = JSON.parse(fields['data']) as { data?: TData; errors?: GraphQLErrorShape[] }
            messages.push({ id: fields['id'], data: payload.data, errors: payload.errors })
          }
        }
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e
    } finally {
      messages.notify()
    }
  })()
  return {
    status: response.status,
    messages: messages.items,
    done,
    close: () => abort.abort(),
    waitFor: messages.waitFor,
  }
}
