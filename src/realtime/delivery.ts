// The delivery path: every live stream a subscription reads comes from here. Pub/sub only carries
// positions ("conversation X reached seq N"); the truth is read from the database, so a lost or
// late publish can delay an event but never lose or duplicate one.
//
// conversationTimeline: listen first, then read the backlog, then follow live — and on every wake-up
// read everything after the last seq delivered, in seq order, which fills any gap. Seq allocation takes
// the conversation row lock until commit, so seqs commit in order and a committed N implies N-1.
import { Repeater } from 'graphql-yoga'
import { type Context, db, viewerOf } from '../context.js'
import type { ConversationEvent } from '../generated/prisma/client.js'
import type { Topics } from './pubsub.js'

const PAGE = 200
/** How long a new stream waits for the pub/sub backend to confirm before serving the backlog anyway. */
const READY_WAIT_MS = 2000
/** Most payloads kept for one slow inbox/signal subscriber (after coalescing). */
const MAX_WAITING = 500

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

export type TimelineItem =
  | { kind: 'event'; event: ConversationEvent }
  /** The backlog after `afterSeq` was longer than REPLAY_LIMIT: page it with messages(afterSeq), the stream goes on after `resumeAfterSeq`. */
  | { kind: 'truncated'; conversationId: string; afterSeq: number; resumeAfterSeq: number }

export interface TimelineOptions {
  conversationId: string
  afterSeq: number
  /** The conversation's lastSeq when the subscription was authorized. */
  lastSeq: number
  /** Re-checked before every delivery; false ends the stream. */
  stillAllowed(): Promise<boolean>
}

export function conversationTimeline(ctx: Context, options: TimelineOptions): AsyncIterableIterator<TimelineItem> {
  const { broker, config, metrics } = ctx.app
  const { conversationId } = options
  return new Repeater<TimelineItem>(async (push, stop) => {
    let delivered = options.afterSeq
    let pending = true
    let wake: () => void = () => {}
    const notify = () => {
      pending = true
      wake()
    }
    // 1. Listen before reading, so nothing committed from here on can be missed.
    const unsubscribe = broker.subscribe('timeline', conversationId, ({ seq }) => {
      if (seq <= delivered) return
      if (seq > delivered + 1) metrics.gapsFilled.inc()
      notify()
    })
    const unresync = broker.onResync(notify)
    const stopAtExpiry = expiryTimer(ctx, () => stop())
    const stopOnShutdown = () => stop()
    ctx.app.shutdown.addEventListener('abort', stopOnShutdown, { once: true })
    metrics.activeSubscriptions.inc({ field: 'conversationEvents' })
    let stopped = false
    void stop.then(() => {
      stopped = true
      wake()
    })
    try {
      // Wait for the backend to confirm the subscription (bounded: with Redis down the backlog is still
      // served now); once it does, read again in case something was announced before it.
      await Promise.race([unsubscribe.ready, delay(READY_WAIT_MS)])
      void unsubscribe.ready.then(notify)
      // 2. The backlog, unless it is longer than the replay limit: then say so and go on from lastSeq.
      if (options.lastSeq - delivered > config.replayLimit) {
        await push({ kind: 'truncated', conversationId, afterSeq: delivered, resumeAfterSeq: options.lastSeq })
        delivered = options.lastSeq
      }
      // 3. Backlog and live alike: read everything after `delivered`, in order, whenever woken.
      while (!stopped) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve))
        if (stopped) break
        pending = false
        const events = await db(ctx).conversationEvent.findMany({ where: { conversationId, seq: { gt: delivered } }, orderBy: { seq: 'asc' }, take: PAGE })
        if (events.length === PAGE) pending = true
        if (!events.length) continue
        if (!(await options.stillAllowed())) break
        for (const event of events) {
          if (event.seq !== delivered + 1) {
            // Not expected (see above); never skip: wait for the missing seq and read again.
            pending = true
            await new Promise((r) => setTimeout(r, 20))
            break
          }
          await push({ kind: 'event', event })
          delivered = event.seq
          metrics.eventsDelivered.inc({ source: 'timeline' })
        }
      }
    } finally {
      unsubscribe()
      unresync()
      clearTimeout(stopAtExpiry)
      ctx.app.shutdown.removeEventListener('abort', stopOnShutdown)
      metrics.activeSubscriptions.dec({ field: 'conversationEvents' })
      stop()
    }
  })
}

/**
 * Follows a topic of the broker (inbox, signals). `accept` may drop a payload or end the stream
 * ('stop'). Payloads waiting for a slow client are coalesced by `coalesceKey` (only the latest state
 * of each key is kept) and capped, so a client that stops reading cannot grow the server's memory.
 */
export function followTopic<T extends 'inbox' | 'signal' | 'notification'>(
  ctx: Context,
  topic: T,
  key: string,
  field: string,
  options: { accept: (payload: Topics[T]) => Promise<boolean | 'stop'>; coalesceKey: (payload: Topics[T]) => string },
): AsyncIterableIterator<Topics[T]> {
  const { broker, metrics } = ctx.app
  return new Repeater<Topics[T]>(async (push, stop) => {
    const waiting = new Map<string, Topics[T]>()
    let draining = false
    const drain = async () => {
      if (draining) return
      draining = true
      try {
        for (let next = waiting.entries().next(); !next.done; next = waiting.entries().next()) {
          const [k, payload] = next.value
          waiting.delete(k)
          const verdict = await options.accept(payload)
          if (verdict === 'stop') return stop()
          if (verdict) {
            await push(payload)
            metrics.eventsDelivered.inc({ source: topic })
          }
        }
      } catch (e) {
        stop(e)
      } finally {
        draining = false
      }
    }
    const unsubscribe = broker.subscribe(topic, key, (payload) => {
      const k = options.coalesceKey(payload)
      waiting.delete(k)
      waiting.set(k, payload)
      if (waiting.size > MAX_WAITING) waiting.delete(waiting.keys().next().value!)
      void drain()
    })
    const stopAtExpiry = expiryTimer(ctx, () => stop())
    const stopOnShutdown = () => stop()
    ctx.app.shutdown.addEventListener('abort', stopOnShutdown, { once: true })
    metrics.activeSubscriptions.inc({ field })
    try {
      await stop
    } finally {
      unsubscribe()
      clearTimeout(stopAtExpiry)
      ctx.app.shutdown.removeEventListener('abort', stopOnShutdown)
      metrics.activeSubscriptions.dec({ field })
    }
  })
}

/** A subscription ends when its token expires (the WebSocket is also closed then; SSE relies on this). */
function expiryTimer(ctx: Context, onExpire: () => void): NodeJS.Timeout | undefined {
  const expiresAt = viewerOf(ctx).expiresAt
  if (expiresAt === undefined) return undefined
  // setTimeout's limit is ~24.8 days; longer tokens end when that timer fires and the client resubscribes.
  return setTimeout(onExpire, Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1))
}
