// Small shared helpers: timing, percentiles, progress line, failures.
import { performance } from 'node:perf_hooks'

export class BenchFailure extends Error {}

/** Milliseconds since the epoch with sub-millisecond resolution; comparable across processes on one machine. */
export const now = () => performance.timeOrigin + performance.now()

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const round = (n: number, digits = 1) => {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export interface Percentiles {
  count: number
  p50: number
  p99: number
  max: number
}

export function percentiles(samples: ArrayLike<number>): Percentiles {
  if (!samples.length) return { count: 0, p50: NaN, p99: NaN, max: NaN }
  const sorted = Float64Array.from(samples).sort()
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
  return { count: sorted.length, p50: round(at(0.5), 2), p99: round(at(0.99), 2), max: round(sorted[sorted.length - 1]!, 2) }
}

export async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new BenchFailure(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(intervalMs)
  }
}

let progressShown = false
/** One progress line on stderr, rewritten in place on a terminal. */
export function progress(line: string) {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[2K[bench] ${line}`)
    progressShown = true
  } else process.stderr.write(`[bench] ${line}\n`)
}

export function endProgress() {
  if (progressShown) process.stderr.write('\n')
  progressShown = false
}

/** Ends a helper process: SIGTERM, then SIGKILL if it is still there after 5 s. */
export function stopChild(child: import('node:child_process').ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const t = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(t)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
