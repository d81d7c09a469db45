// GraphQL over SSE with resumable ids. Yoga's own SSE writer sends no `id:` lines; this one is the same
// protocol (distinct connections: a `:` ping first and every 12 s, `event: next` per result,
// `event: complete` at the end) plus `id: <seq>` on conversationEvents results, so a browser
// EventSource reconnects with Last-Event-ID and resumes where it stopped. Over HTTP the id is also in
// the result as `extensions.eventId`.
import type { Plugin } from 'graphql-yoga'
import type { ExecutionResult } from 'graphql'
import type { Context } from '../context.js'
import { isAsyncIterable } from './plugins.js'

type Result = ExecutionResult & { extensions?: { eventId?: number } & Record<string, unknown> }

export function useResumableEventIds(): Plugin<Context> {
  return {
    onExecutionResult({ result, setResult, context }) {
      if (!result || !isAsyncIterable(result)) return
      const ctx = context as unknown as Context
      setResult(
        mapIterator(result as AsyncIterable<Result>, (value) => {
          const eventId = ctx.eventId
          if (eventId === undefined) return value
          ctx.eventId = undefined
          return { ...value, extensions: { ...value.extensions, eventId } }
        }),
      )
    },
    onResultProcess({ result, acceptableMediaTypes, setResultProcessor }) {
      if (isAsyncIterable(result) && acceptableMediaTypes.includes('text/event-stream')) setResultProcessor(sseProcessor, 'text/event-stream')
    },
  }
}

const PING_MS = 12_000

function sseProcessor(result: unknown, fetchAPI: { Response: typeof Response; ReadableStream: typeof ReadableStream; TextEncoder: typeof TextEncoder }) {
  const iterator = (result as AsyncIterable<Result>)[Symbol.asyncIterator]()
  const encoder = new fetchAPI.TextEncoder()
  let ping: NodeJS.Timeout | undefined
  const stream = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(':\n\n'))
      ping = setInterval(() => {
        if (controller.desiredSize === null) return clearInterval(ping)
        if (controller.desiredSize > 0) controller.enqueue(encoder.encode(':\n\n'))
      }, PING_MS)
    },
    async pull(controller) {
      try {
        const { value, done } = await iterator.next()
        if (value != null) {
          const id = value.extensions?.eventId
          controller.enqueue(encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}event: next\ndata: ${JSON.stringify(value)}\n\n`))
        }
        if (done) {
          controller.enqueue(encoder.encode('event: complete\ndata:\n\n'))
          clearInterval(ping)
          controller.close()
        }
      } catch (e) {
        clearInterval(ping)
        controller.error(e)
      }
    },
    async cancel() {
      clearInterval(ping)
      await iterator.return?.()
    },
  })
  return new fetchAPI.Response(stream, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' },
  })
}

/** Maps an async iterable, forwarding return() so closing the stream releases the source at once. */
function mapIterator<T, U>(source: AsyncIterable<T>, map: (value: T) => U): AsyncIterableIterator<U> {
  const it = source[Symbol.asyncIterator]()
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    async next() {
      const r = await it.next()
      return r.done ? r : { done: false, value: map(r.value) }
    },
    async return(value?: unknown) {
      await it.return?.(value)
      return { done: true, value: undefined }
    },
    async throw(error?: unknown) {
      if (it.throw) return (await it.throw(error)) as IteratorResult<U>
      throw error
    },
  }
}
