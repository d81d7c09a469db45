export interface RetryOptions {
  /** First delay after a failure (default 500 ms). */
  initialDelayMs?: number
  /** Longest delay (default 30 s). */
  maxDelayMs?: number
}

/** Exponential backoff with full jitter on the upper half: attempt 0 → ~initial, doubling up to max. */
export function backoffDelay(attempt: number, { initialDelayMs = 500, maxDelayMs = 30_000 }: RetryOptions = {}): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt, 20))
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}
