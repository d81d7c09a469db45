// subscribe(): a real graphql-ws client over a real socket, with helpers to wait for events.
import { createClient, type Client } from 'graphql-ws'
import { print } from 'graphql'
import WebSocket from 'ws'
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import type { GraphQLErrorShape } from './execute.js'
import { collector } from './collector.js'

export interface Subscription<TData> {
  /** Payloads received so far. */
  events: TData[]
  errors: GraphQLErrorShape[]
  /** Resolves once at least `count` events arrived (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<TData[]>
  /** Resolves when the server completes the subscription or it errors. */
  done: Promise<'complete' | 'error'>
  close(): Promise<void>
}

export function wsClient(wsUrl: string, token: string | undefined): Client & { closeEvent: Promise<{ code: number; reason: string }> } {
  let resolveClose: (value: { code: number; reason: string }) => void = () => {}
  const closeEvent = new Promise<{ code: number; reason: string }>((resolve) => (resolveClose = resolve))
  const c = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    lazyCloseTimeout: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: { closed: (event) => resolveClose({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }) },
    onNonLazyError: () => {},
  })
  return Object.assign(c, { closeEvent })
}

export function subscribe<TData, TVariables>(
  wsUrl: string,
  options: { document: TypedDocumentNode<TData, TVariables>; variables?: TVariables; token?: string; client?: Client },
): Subscription<TData> {
  const ownClient = !options.client
  const c = options.client ?? wsClient(wsUrl, options.token)
  const errors: GraphQLErrorShape[] = []
  const events = collector<TData>(() => JSON.stringify(errors))
  let finish: (how: 'complete' | 'error') => void = () => {}
  const done = new Promise<'complete' | 'error'>((resolve) => (finish = resolve))
  const unsubscribe = c.subscribe<TData>(
    { query: print(options.document), variables: (options.variables ?? {}) as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors) errors.push(...(result.errors as GraphQLErrorShape[]))
        if (result.data) events.push(result.data)
        else events.notify()
      },
      error: (e) => {
        if (Array.isArray(e)) errors.push(...(e as GraphQLErrorShape[]))
        else
          errors.push({
            message: String((e as Error)?.message ?? (e as CloseEvent)?.reason ?? e),
            extensions: { code: `CLOSE_${(e as CloseEvent)?.code ?? ''}` },
          })
        finish('error')
        events.notify()
      },
      complete: () => {
        finish('complete')
        events.notify()
      },
    },
  )
  return {
    events: events.items,
    errors,
    done,
    waitFor: events.waitFor,
    async close() {
      unsubscribe()
      if (ownClient) await c.dispose()
    },
  }
}
