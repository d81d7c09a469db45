// What a stream delivered so far, and a way to wait until enough has arrived.
export interface Collector<T> {
  items: T[]
  push(item: T): void
  /** Wakes waiters without an item (the stream ended or failed). */
  notify(): void
  /** Resolves once at least `count` items arrived; rejects after `timeoutMs` with `describe()` in the message. */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>
}

export function collector<T>(describe: () => string = () => ''): Collector<T> {
  const items: T[] = []
  const waiters = new Set<() => void>()
  const notify = () => waiters.forEach((w) => w())
  return {
    items,
    notify,
    push(item) {
      items.push(item)
      notify()
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (items.length < count) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(items.slice())
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`expected ${count} items within ${timeoutMs} ms, got ${items.length} ${describe()}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
  }
}
