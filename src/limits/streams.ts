// Caps on long-lived streams, counted per node: sockets per user, SSE streams per user (and, through
// graphql-ws' own registry, operations per socket). acquire() returns a release function, or undefined
// when the key is at its cap; release is idempotent.
import { AppError } from '../errors.js'

export class StreamCounter {
  private readonly counts = new Map<string, number>()

  constructor(private readonly cap: number) {}

  acquire(key: string): (() => void) | undefined {
    const count = this.counts.get(key) ?? 0
    if (count >= this.cap) return undefined
    this.counts.set(key, count + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.counts.get(key) ?? 1) - 1
      if (left <= 0) this.counts.delete(key)
      else this.counts.set(key, left)
    }
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0
  }
}

/** Too many streams: RATE_LIMITED, without a retry time (one must end first). */
export const tooManyStreams = (what: string, cap: number) =>
  new AppError('RATE_LIMITED', `Too many ${what} (at most ${cap})`, { limit: cap, http: { status: 429 } })

/**
 * Wraps a stream so `release` runs exactly once when it ends: completed, failed, or closed by the client
 * (return()).
 */
export function releasingOnEnd<T>(source: AsyncIterable<T>, release: () => void): AsyncIterableIterator<T> {
  const it = source[Symbol.asyncIterator]()
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    async next() {
      try {
        const r = await it.next()
        if (r.done) release()
        return r
      } catch (e) {
        release()
        throw e
      }
    },
    async return(value?: unknown) {
      release()
      await it.return?.(value)
      return { done: true, value: undefined }
    },
    async throw(error?: unknown) {
      release()
      if (it.throw) return it.throw(error)
      throw error
    },
  }
}
