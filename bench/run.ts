// npm run bench [-- --quick] [--subscribers N] [--conversations N] [--inbox-members N] [--duration S]
//               [--workers N] [--only memory,sends,fanout,fanout-small,latency,inbox]
//
// Measures a Switchboard server started in its own process (`node --import tsx src/main.ts`) through its
// public API only (GraphQL over HTTP, graphql-ws, /metrics, /proc/<pid>/status), with load generators in
// other processes (bench/lib/worker.ts), against baselines measured in the same run on the same
// PostgreSQL and the same sockets (raw pg: bench/lib/raw-sql.ts; raw ws: bench/lib/raw-ws-server.ts).
// Prints a progress line (stderr), a markdown table and one `BENCH_RESULT {json}` line (stdout).
// Exits 1 on any failure, after stopping everything it started.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { BenchFailure, endProgress, progress, round } from './lib/common.js'
import type { Bench, Options, Row, World } from './lib/context.js'
import { createRawSchema, startDatabase } from './lib/postgres.js'
import { startRawWs } from './lib/raw-ws.js'
import { Api, type User } from './lib/seed.js'
import { startServer } from './lib/server.js'
import { startWorkers } from './lib/workers.js'
import { sendsScenario } from './scenarios/sends.js'
import { fanoutScenario } from './scenarios/fanout.js'
import { latency100Scenario } from './scenarios/latency-100.js'
import { inboxScenario } from './scenarios/inbox.js'
import { memoryScenario } from './scenarios/memory.js'

const SCENARIOS = ['memory', 'sends', 'fanout', 'fanout-small', 'latency', 'inbox'] as const

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick')
  const value = (flag: string) => {
    const i = argv.indexOf(flag)
    if (i < 0) return undefined
    const v = argv[i + 1]
    if (v === undefined || v.startsWith('--')) throw new BenchFailure(`${flag} needs a value`)
    return v
  }
  const int = (flag: string, def: number, min: number, max: number) => {
    const raw = value(flag)
    if (raw === undefined) return def
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) throw new BenchFailure(`${flag} must be an integer from ${min} to ${max}, got ${raw}`)
    return n
  }
  const known = new Set(['--quick', '--subscribers', '--conversations', '--inbox-members', '--duration', '--workers', '--only'])
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new BenchFailure(`unknown flag ${a}`)
  const duration = Number(value('--duration') ?? 1)
  if (!(duration >= 0.5 && duration <= 600)) throw new BenchFailure('--duration must be from 0.5 to 600 seconds')
  const only = value('--only')?.split(',')
  for (const o of only ?? [])
    if (!(SCENARIOS as readonly string[]).includes(o))
      throw new BenchFailure(`--only: unknown scenario ${o} (one of ${SCENARIOS.join(', ')})`)
  return {
    quick,
    subscribers: int('--subscribers', quick ? 200 : 1000, 10, 20_000),
    smallConversations: int('--conversations', quick ? 20 : 100, 1, 2000),
    inboxMembers: int('--inbox-members', quick ? 100 : 500, 2, 20_000),
    durationMs: Math.round(Number(value('--duration') ?? (quick ? 1.5 : 5)) * 1000),
    latencyMessages: quick ? 60 : 200,
    workers: int('--workers', 2, 1, 16),
    only,
  }
}

async function seed(api: Api, options: Options): Promise<World> {
  progress('seeding a fresh tenant through GraphQL…')
  const admin = await api.sign('bench-admin', 'admin', 'bench-admin')
  await api.gql('{viewer{user{id}}}', {}, admin) // provisions the tenant
  const receiverCount = Math.max(options.subscribers, options.smallConversations * 10, options.inboxMembers, 100)
  const senderIds = Array.from({ length: 8 }, (_, i) => `sender-${i}`)
  const receiverIds = Array.from({ length: receiverCount }, (_, i) => `user-${String(i).padStart(5, '0')}`)
  await api.upsertUsers(admin, [...senderIds, ...receiverIds])
  const tokens = async (ids: string[]): Promise<User[]> =>
    Promise.all(ids.map(async (externalId) => ({ externalId, token: await api.sign(externalId, 'member', externalId) })))
  const senders = await tokens(senderIds)
  const receivers = await tokens(receiverIds)
  const creator = senders[0]!.token
  const others = senderIds.slice(1)
  progress('seeding conversations…')
  const spread: string[] = []
  for (let i = 0; i < 16; i++) spread.push(await api.createGroup(creator, `bench spread ${i}`, others))
  const hot = await api.createGroup(creator, 'bench hot', others)
  const big = await api.createGroup(creator, 'bench fan-out', receiverIds.slice(0, options.subscribers))
  const small: string[] = new Array(options.smallConversations)
  let nextSmall = 0
  const createSmall = async () => {
    for (let k = nextSmall++; k < options.smallConversations; k = nextSmall++)
      small[k] = await api.createGroup(creator, `bench small ${k}`, receiverIds.slice(k * 10, k * 10 + 10))
  }
  await Promise.all(Array.from({ length: 4 }, createSmall))
  const mid = await api.createGroup(creator, 'bench 100 members', receiverIds.slice(0, 100))
  const inbox = await api.createGroup(creator, 'bench inbox', receiverIds.slice(0, options.inboxMembers))
  return { admin, senders, receivers, spread, hot, big, small, mid, inbox }
}

/** SQL per event of the fan-out to N subscribers of one conversation, beside the same for 10 subscribers: should be 1.0×. */
function sqlPerEventRow(b: Bench) {
  const { big, small } = b.measured.sqlPerEvent ?? {}
  if (!big) return
  const lastFanout = b.rows.map((r) => r.figure.startsWith('fan-out deliveries/s')).lastIndexOf(true)
  b.rows.splice(lastFanout + 1, 0, {
    figure: `SQL statements per event for its fan-out, ${big.members} subscribers (${round(big.perDelivery, 2)} per delivery)`,
    value: round(big.perEvent, 1),
    unit: '',
    baseline: small && round(small.perEvent, 1),
    baselineLabel: small ? `same, ${small.members} subscribers` : 'no 10-subscriber run',
    ratio: small && small.perEvent > 0 ? big.perEvent / small.perEvent : undefined,
    target: '1.0×: constant in subscribers (must)',
  })
}

function table(rows: Row[]): string {
  const fmt = (n: number | undefined, unit = '') =>
    n === undefined || !Number.isFinite(n) ? '—' : `${n.toLocaleString('en-US')}${unit ? ` ${unit}` : ''}`
  const lines = ['| figure | Switchboard | baseline | ratio | target (issue 7) |', '|---|---:|---:|---:|---|']
  for (const r of rows)
    lines.push(
      `| ${r.figure} | ${fmt(r.value, r.unit)} | ${r.baseline === undefined ? r.baselineLabel : `${fmt(r.baseline, r.unit)} (${r.baselineLabel})`} | ${r.ratio === undefined ? '—' : `${round(r.ratio, r.ratio < 0.1 ? 3 : 2)}×`} | ${r.target} |`,
    )
  return lines.join('\n')
}

const cleanups: Array<() => Promise<void>> = []
let finishing: Promise<never> | undefined
async function finish(code: number, error?: string): Promise<never> {
  return (finishing ??= (async () => {
    endProgress()
    if (error) process.stderr.write(`\nBENCHMARK FAILED: ${error}\n`)
    for (const cleanup of cleanups.reverse()) {
      try {
        await Promise.race([cleanup(), new Promise((_, reject) => setTimeout(() => reject(new Error('cleanup timed out')), 30_000))])
      } catch (e) {
        process.stderr.write(`cleanup failed: ${String((e as Error)?.message ?? e)}\n`)
        code = 1
      }
    }
    process.exit(code)
  })())
}

async function main() {
  const started = Date.now()
  const loadBefore = os.loadavg()[0]!
  const options = parseOptions(process.argv.slice(2))
  const runId = randomUUID().slice(0, 8)
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'))
  cleanups.push(async () => fs.rmSync(tempDir, { recursive: true, force: true }))
  // As root, the embedded PostgreSQL runs as the OS user `postgres`, which must be able to reach its data dir.
  fs.chmodSync(tempDir, 0o755)
  progress(process.env.DATABASE_URL ? 'using DATABASE_URL…' : 'starting an embedded PostgreSQL…')
  const db = await startDatabase(path.join(tempDir, 'db'))
  cleanups.push(() => db.stop())
  const rawSchema = await createRawSchema(db.url, runId)
  cleanups.push(() => rawSchema.drop())
  progress('starting the server process…')
  const server = await startServer({ databaseUrl: db.url, dataDir: path.join(tempDir, 'server'), redisUrl: process.env.REDIS_URL })
  cleanups.push(() => server.stop())
  const raw = await startRawWs()
  cleanups.push(() => raw.stop())
  const pool = await startWorkers(options.workers)
  cleanups.push(() => pool.stop())
  const api = new Api(server.graphqlUrl, `bench-${runId}`)
  const world = await seed(api, options)
  const b: Bench = { options, api, server, raw, rawSchema, db, pool, world, rows: [], details: {}, measured: {} }
  const timings: Record<string, number> = { setup: Math.round((Date.now() - started) / 100) / 10 }
  b.details.seconds = timings
  const run = async (name: (typeof SCENARIOS)[number], scenario: () => Promise<void>) => {
    if (options.only && !options.only.includes(name)) return
    const t = Date.now()
    await scenario()
    timings[name] = Math.round((Date.now() - t) / 100) / 10
  }
  await run('memory', () => memoryScenario(b))
  await run('sends', () => sendsScenario(b))
  await run('fanout', () => fanoutScenario(b, 'big'))
  await run('fanout-small', () => fanoutScenario(b, 'small'))
  await run('latency', () => latency100Scenario(b))
  await run('inbox', () => inboxScenario(b))
  sqlPerEventRow(b)
  endProgress()
  const seconds = Math.round((Date.now() - started) / 1000)
  const header =
    `Switchboard benchmark — ${db.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}, pub/sub ${process.env.REDIS_URL ? 'Redis' : 'in-process'}, ` +
    `node ${process.version}, ${os.cpus().length} CPU(s), ${options.workers} load worker processes, ${options.quick ? 'quick' : 'default'} sizes, load average ${round(loadBefore, 1)} → ${round(os.loadavg()[0]!, 1)}, ${seconds} s (${Object.entries(
      timings,
    )
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')})`
  process.stdout.write(`\n${header}\n\n${table(b.rows)}\n\n`)
  process.stdout.write(
    'Ratios are Switchboard ÷ baseline, both measured in this run. Every conversationEvents delivery was checked: each seq exactly once, in order;\n' +
      'inboxEvents (which coalesce by design and carry no seq): at most one per message, lastSeq never going back, ending with the last message.\n' +
      'RSS per connection (measured first, right after seeding): VmRSS of the server process (/proc/<pid>/status) with all N sockets subscribed minus with the first half, ÷ N/2;\n' +
      'each read after a rest and full GCs until steady (the bench preloads bench/lib/gc-preload.mjs: SIGUSR2 → gc()). Same for the raw ws process.\n\n',
  )
  process.stdout.write(
    `BENCH_RESULT ${JSON.stringify({ ok: true, options, seconds, rows: b.rows, details: b.details, environment: { node: process.version, cpus: os.cpus().length, database: db.embedded ? 'embedded' : 'DATABASE_URL', pubsub: process.env.REDIS_URL ? 'redis' : 'in-process' } })}\n`,
  )
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void finish(1, `interrupted by ${signal}`))
process.on('uncaughtException', (e) => void finish(1, String(e?.stack ?? e)))
process.on('unhandledRejection', (e) => void finish(1, String((e as Error)?.stack ?? e)))
try {
  const limitMinutes = process.argv.includes('--subscribers') ? 60 : 15 // 5,000 subscribers on a slow server take long
  const watchdog = setTimeout(() => void finish(1, `the run exceeded ${limitMinutes} minutes`), limitMinutes * 60_000)
  watchdog.unref()
  await main()
  await finish(0)
} catch (e) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ ok: false, error: String((e as Error)?.message ?? e) })}\n`)
  await finish(1, e instanceof BenchFailure ? e.message : String((e as Error)?.stack ?? e))
}
