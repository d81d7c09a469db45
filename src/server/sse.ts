// GraphQL over SSE with resumable ids. Yoga's own SSE writer sends no `id:` lines; this one is the same
// protocol (distinct connections: a `:` ping first and every 12 s, `event: next` per result,
// `event: complete` at the end) plus `id: <seq>` on conversationEvents results (their
// `extensions.eventId`, set by the shared execution in src/realtime/fanout.ts), so a browser EventSource
// reconnects with Last-Event-ID and resumes where it stopped. A shared result is serialized once.
import type { Plugin } from 'graphql-yoga'
import type { ExecutionResult } from 'graphql'
import type { Context } from '../context.js'
import { isAsyncIterable } from './plugins.js'
import { deliveryOf, serializeResult } from '../realtime/fanout.js'
import { countDelivery, type Metrics } from './metrics.js'

type Result = ExecutionResult & { extensions?: { eventId?: number } & Record<string, unknown> }

export function useResumableEventIds(metrics: Metrics): Plugin<Context> {
  const processor = (result: unknown, fetchAPI: FetchAPI) => sseProcessor(result, fetchAPI, metrics)
  return {
    onResultProcess({ result, acceptableMediaTypes, setResultProcessor }) {
      if (isAsyncIterable(result) && acceptableMediaTypes.includes('text/event-stream')) setResultProcessor(processor, 'text/event-stream')
    },
  }
}

const PING_MS = 12_000

type FetchAPI = { Response: typeof Response; ReadableStream: typeof ReadableStream; TextEncoder: typeof TextEncoder }

function sseProcessor(result: unknown, fetchAPI: FetchAPI, metrics: Metrics) {
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
          controller.enqueue(encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}event: next\ndata: ${serializeResult(value)}\n\n`))
          const delivery = deliveryOf(value)
          if (delivery) countDelivery(metrics, delivery, 'sse')
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
