// Building blocks of every live stream: how long it lives (token expiry, server shutdown) and a bounded,
// coalescing queue for streams of notifications (inbox events, signals).
import { Repeater } from 'graphql-yoga'
import type { Metrics } from '../server/metrics.js'

/** Most payloads kept for one slow subscriber (after coalescing). */
const MAX_WAITING = 500

export interface Lifetime {
  /** When the viewer's token expires (ms since epoch): the stream ends then. */
  expiresAt: number | undefined
  /** Aborted at server shutdown: the stream ends. */
  shutdown: AbortSignal
}

/** Calls `end` when the token expires or the server shuts down; returns the disposer. */
export function endWithLifetime(lifetime: Lifetime, end: () => void): () => void {
  // setTimeout's limit is ~24.8 days; longer tokens end when that timer fires and the client resubscribes.
  const timer =
    lifetime.expiresAt === undefined ? undefined : setTimeout(end, Math.min(Math.max(0, lifetime.expiresAt - Date.now()), 2 ** 31 - 1))
  lifetime.shutdown.addEventListener('abort', end, { once: true })
  return () => {
    clearTimeout(timer)
    lifetime.shutdown.removeEventListener('abort', end)
  }
}

/**
 * A stream of payloads from `listen`. `accept` may drop a payload or end the stream ('stop').
 * Payloads waiting for a slow client are coalesced by `coalesceKey` (only the latest of each key is
 * kept) and capped, so a client that stops reading cannot grow the server's memory.
 */
export function coalescingStream<T>(
  lifetime: Lifetime,
  metrics: Pick<Metrics, 'activeSubscriptions'>,
  field: string,
  options: {
    listen(push: (payload: T) => void): () => void
    accept(payload: T): boolean | 'stop' | Promise<boolean | 'stop'>
    coalesceKey(payload: T): string
  },
): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    const waiting = new Map<string, T>()
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
          // Counted as delivered where it is written to the socket (switchboard_events_delivered_total).
          if (verdict) await push(payload)
        }
      } catch (e) {
        stop(e)
      } finally {
        draining = false
      }
    }
    const unlisten = options.listen((payload) => {
      const k = options.coalesceKey(payload)
      waiting.delete(k)
      waiting.set(k, payload)
      if (waiting.size > MAX_WAITING) waiting.delete(waiting.keys().next().value!)
      void drain()
    })
    const disposeLifetime = endWithLifetime(lifetime, () => stop())
    metrics.activeSubscriptions.inc({ field })
    try {
      await stop
    } finally {
      unlisten()
      disposeLifetime()
      metrics.activeSubscriptions.dec({ field })
    }
  })
}
