// The Switchboard server under test, in its own process as in production: `node --import tsx src/main.ts`.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { BenchFailure, sleep } from './common.js'

export const BENCH_JWT_SECRET = 'switchboard-bench-secret-0123456789'
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** SIGUSR2 → gc() in the server process (see gc-preload.mjs). */
export const GC_PRELOAD = new URL('./gc-preload.mjs', import.meta.url).href

export interface ServerProcess {
  pid: number
  base: string
  graphqlUrl: string
  wsUrl: string
  /** switchboard_db_queries_total from /metrics. */
  dbQueries(): Promise<number>
  /** V8 heap in use (switchboard_nodejs_heap_size_used_bytes from /metrics). */
  heapUsed(): Promise<number>
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

export async function startServer(options: { databaseUrl: string; dataDir: string; redisUrl?: string }): Promise<ServerProcess> {
  const port = await freePort()
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: BENCH_JWT_SECRET,
    LOG_LEVEL: 'warn',
    RATE_LIMITS: 'off',
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: options.dataDir,
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...(options.redisUrl && { REDIS_URL: options.redisUrl }),
    ...(process.env.DATABASE_POOL_SIZE && { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE }),
    // Extra server settings for an experiment, e.g. BENCH_SERVER_ENV="OUTBOX_WORKER=false,LOG_LEVEL=error".
    ...Object.fromEntries(
      (process.env.BENCH_SERVER_ENV ?? '')
        .split(',')
        .filter((kv) => kv.includes('='))
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    ),
  }
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server process (e.g. --cpu-prof to see where the time goes).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...nodeArgs, '--expose-gc', '--import', GC_PRELOAD, '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = '' // the tail, for the failure message
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const base = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM') // the node process itself, so shutdown is graceful
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(t)
  }
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new BenchFailure(`the server exited with ${child.exitCode} before it was ready:\n${output}`)
    // Ready when /ready answers 200 (the banner is not required: a rewritten main.ts may print another one).
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) {
      await stop()
      throw new BenchFailure(`the server was not ready within 90 s:\n${output}`)
    }
    await sleep(100)
  }
  return {
    pid: child.pid!,
    base,
    graphqlUrl: `${base}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    dbQueries: () => metric(base, 'switchboard_db_queries_total'),
    heapUsed: () => metric(base, 'switchboard_nodejs_heap_size_used_bytes'),
    stop,
  }
}

/** One unlabelled value from the server's /metrics. */
async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)
  if (!m) throw new BenchFailure(`/metrics has no ${name}`)
  return Number(m[1])
}

/**
 * Asks a process started with gc-preload.mjs for full GCs until its RSS is steady (three readings 300 ms
 * apart within 64 KB, at most 10 rounds), after letting it settle; returns that RSS in bytes.
 */
export async function rssAfterGc(pid: number, settleMs = 1000): Promise<number> {
  await sleep(settleMs)
  const readings: number[] = []
  for (let round = 0; round < 10; round++) {
    process.kill(pid, 'SIGUSR2')
    await sleep(300)
    readings.push(rssBytes(pid))
    const last3 = readings.slice(-3)
    if (last3.length === 3 && Math.max(...last3) - Math.min(...last3) < 64 * 1024) break
  }
  return readings.at(-1)!
}

/** Resident set size of a process in bytes (VmRSS from /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!m) throw new BenchFailure(`no VmRSS for process ${pid}`)
  return Number(m[1]) * 1024
}
