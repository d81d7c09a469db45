import { pino, type Logger } from 'pino'

export type { Logger }

// Structured JSON logs. Tokens and message bodies are never logged: the redact list is a second line of
// defence behind never passing them to the logger at all.
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchboard' },
    redact: { paths: ['authorization', '*.authorization', 'token', '*.token', 'body', '*.body', 'variables'], censor: '[redacted]' },
  })
}

/**
 * When a repeated warning is logged. The first occurrence of a key is logged at once and opens a window
 * of `intervalMs`; later occurrences in the window are only counted. When the window ends with some
 * counted, one summary line carries the count and a new window opens; a window that ends with none
 * closes, and the next occurrence is logged at once again. So a key logs at most one line per interval,
 * plus its first. Pure (the clock is passed in): test/metrics.test.ts checks the rule.
 */
export class RepeatedWarnings<T = unknown> {
  private readonly windows = new Map<string, { until: number; suppressed: number; last: T }>()
  constructor(readonly intervalMs: number) {}

  /** An occurrence of `key` at `now`: true when it is to be logged now. */
  hit(key: string, now: number, detail: T): boolean {
    const window = this.windows.get(key)
    if (window && now < window.until) {
      window.suppressed++
      window.last = detail
      return false
    }
    this.windows.set(key, { until: now + this.intervalMs, suppressed: 0, last: detail })
    return true
  }

  /** Summaries of the windows that ended by `now` with occurrences held back (the latest detail of each). */
  due(now: number): Array<{ key: string; suppressed: number; last: T }> {
    const summaries: Array<{ key: string; suppressed: number; last: T }> = []
    for (const [key, window] of this.windows) {
      if (now < window.until) continue
      if (!window.suppressed) {
        this.windows.delete(key)
        continue
      }
      summaries.push({ key, suppressed: window.suppressed, last: window.last })
      this.windows.set(key, { until: now + this.intervalMs, suppressed: 0, last: window.last })
    }
    return summaries
  }

  /** When the next window ends (ms since epoch), if any is open. */
  nextDue(): number | undefined {
    let next: number | undefined
    for (const { until } of this.windows.values()) next = next === undefined ? until : Math.min(next, until)
    return next
  }
}

/** A warning that may repeat (every publish during a Redis outage): `key` says which, for rate limiting. */
export type Warn = (key: string, fields: Record<string, unknown>, message: string) => void
export type RateLimitedWarn = Warn & { close(): void }

/**
 * A warning that may repeat many times a second (every send's publish while Redis is down, a pool's
 * connection errors while the database restarts): logged the first time, then at most once per
 * `intervalMs` as `"<message> (repeated)"` with `suppressed`, the number held back since the last line.
 */
export function rateLimitedWarn(log: Logger, intervalMs: number): RateLimitedWarn {
  const windows = new RepeatedWarnings<{ fields: Record<string, unknown>; message: string }>(intervalMs)
  let timer: NodeJS.Timeout | undefined
  const flush = () => {
    timer = undefined
    for (const { key, suppressed, last } of windows.due(Date.now()))
      log.warn({ ...last.fields, warning: key, suppressed, intervalMs }, `${last.message} (repeated)`)
    arm()
  }
  const arm = () => {
    const next = windows.nextDue()
    if (timer || next === undefined) return
    timer = setTimeout(flush, Math.max(0, next - Date.now()))
    timer.unref()
  }
  const warn = (key: string, fields: Record<string, unknown>, message: string) => {
    if (windows.hit(key, Date.now(), { fields, message })) log.warn({ ...fields, warning: key }, message)
    arm()
  }
  return Object.assign(warn, {
    close: () => {
      clearTimeout(timer)
      timer = undefined
    },
  })
}
