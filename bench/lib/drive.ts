// Driving a phase: open subscriber sockets (on the server or on the raw ws baseline), push messages with a
// bounded amount in flight or at a fixed rate, wait until everything is delivered, and check every delivery.
import { BenchFailure, now, percentiles, progress, sleep, until } from './common.js'
import { sendBody, seqOf, leanClient, type LeanClient } from './http.js'
import type { SocketRecord, SocketSpec } from './protocol.js'
import type { Bench } from './context.js'
import { split } from './workers.js'
import { rssAfterGc } from './server.js'

export interface Target {
  /** The conversation (global id) on the server; the same string keys the raw baseline. */
  conversation: string
  /** Sockets subscribed to it. */
  members: number
}

export interface Group {
  name: string
  /** socket key → conversation it follows */
  conversationOf: Map<string, string>
  sockets: number
  /** Server (or raw ws process) RSS growth per socket, bytes, when measured. */
  rssPerSocket?: number
  /** The same for the V8 heap in use after GC (steadier than RSS). */
  heapPerSocket?: number
}

export interface Sent {
  conversation: string
  seq: number
  t0: number
}

/** Sends one message into a conversation and resolves with its seq. */
export type Sender = (conversation: string) => Promise<number>

let sendCounter = 0 // clientMessageIds must never repeat within a run: a repeat is an idempotent replay

export function serverSender(b: Bench, client: LeanClient): Sender {
  const token = b.world.senders[0]!.token
  return async (conversation) => seqOf(await client.post(sendBody(conversation, `fan-out message ${sendCounter}`, `fanout-${process.pid}-${sendCounter++}`), token))
}

export function rawSender(b: Bench, write: boolean): Sender {
  const w = write ? { databaseUrl: b.db.url, schema: b.rawSchema.schema } : undefined
  return (conversation) => b.raw.broadcast(conversation, w)
}

/**
 * Opens one socket per (user, conversation) pair on `url`, split over the workers, and waits until every
 * subscription is live (server: a priming message reached every socket; raw: the process registered them).
 * With `measureRss`, the target process's RSS is read before (after settling) and after.
 */
export async function openGroup(
  b: Bench,
  opts: { name: string; on: 'server' | 'raw'; sockets: Array<{ userIndex: number; conversation?: string }>; inbox?: boolean; measureRss?: boolean },
): Promise<Group> {
  const url = opts.on === 'server' ? b.server.wsUrl : b.raw.url
  const pid = opts.on === 'server' ? b.server.pid : b.raw.pid
  const group: Group = { name: opts.name, conversationOf: new Map(), sockets: 0 }
  // With measureRss, the sockets open in two halves and RSS is read after each (once both halves are live):
  // growth per socket = (RSS after all − RSS after half) ÷ the second half, so that garbage left by
  // earlier scenarios, which a GC does not always hand back to the OS at once, is not counted.
  const half = Math.floor(opts.sockets.length / 2)
  const batches = opts.measureRss ? [opts.sockets.slice(0, half), opts.sockets.slice(half)] : [opts.sockets]
  const rss: number[] = []
  const heap: number[] = []
  for (const batch of batches) {
    const afterSeq = new Map<string, number>()
    if (opts.on === 'server' && !opts.inbox)
      for (const c of new Set(batch.map((s) => s.conversation!))) afterSeq.set(c, await b.api.lastSeq(c, b.world.admin))
    const specs: SocketSpec[] = batch.map((s) => {
      const key = `${opts.name}:${group.conversationOf.size}`
      group.conversationOf.set(key, s.conversation!)
      const token = b.world.receivers[s.userIndex]!.token
      if (opts.inbox) return { key, token, query: INBOX, seqField: 'lastSeq', variables: {} }
      return { key, token, query: EVENTS, variables: { c: s.conversation, a: afterSeq.get(s.conversation!) }, seqField: 'seq' }
    })
    progress(`${opts.name}: opening ${specs.length} sockets on the ${opts.on === 'server' ? 'server' : 'raw ws baseline'}…`)
    const parts = split(specs, b.pool.workers.length)
    await b.pool.all((w) => (parts[w.index]!.length ? { cmd: 'open', url, group: opts.name, sockets: parts[w.index]! } : undefined))
    group.sockets += specs.length
    const conversations = [...new Set(group.conversationOf.values())]
    if (opts.on === 'raw') {
      const key = opts.inbox ? 'inbox' : undefined
      await until(`the raw ws server to register ${group.sockets} subscriptions`, 60_000, async () => {
        let n = 0
        for (const c of key ? [key] : conversations) n += await b.raw.count(c)
        return n === group.sockets
      })
    } else await prime(b, group, conversations, !!opts.inbox)
    if (opts.measureRss) {
      rss.push(await rssAfterGc(pid, b.options.quick ? 500 : 1000))
      heap.push(opts.on === 'server' ? await b.server.heapUsed() : await b.raw.heapUsed())
    }
  }
  if (opts.measureRss) {
    group.rssPerSocket = (rss[1]! - rss[0]!) / (opts.sockets.length - half)
    group.heapPerSocket = (heap[1]! - heap[0]!) / (opts.sockets.length - half)
  }
  await mark(b, group)
  return group
}

const EVENTS = 'subscription($c:ID!,$a:Int){conversationEvents(conversationId:$c,afterSeq:$a){seq conversationId ... on MessageAddedEvent{message{id body}}}}'
const INBOX = 'subscription{inboxEvents{reason conversationId conversation{lastSeq}}}'

/** Server sockets: one message per conversation; live once every socket has it (inboxEvents start live from now: retry). */
async function prime(b: Bench, group: Group, conversations: string[], inbox: boolean) {
  const client = leanClient(b.server.graphqlUrl, 8)
  try {
    const send = serverSender(b, client)
    for (let attempt = 1; ; attempt++) {
      await mark(b, group)
      const seqs = new Map<string, number>()
      await Promise.all(conversations.map(async (c) => seqs.set(c, await send(c))))
      try {
        await until(`every socket of ${group.name} to receive a priming event`, inbox ? 3000 : 60_000, () => b.pool.delivered() >= group.sockets, 20)
        if (inbox) {
          const maxSeq = Math.max(...seqs.values())
          const reached = await b.pool.all<number>(() => ({ cmd: 'reached', group: group.name, seq: maxSeq }))
          if (reached.reduce((a, n) => a + n, 0) < group.sockets) throw new BenchFailure('not every inbox subscription is live yet')
        }
        return
      } catch (e) {
        if (!inbox || attempt >= 10) throw e
      }
    }
  } finally {
    client.close()
  }
}

export async function mark(b: Bench, group: Group) {
  await b.pool.all(() => ({ cmd: 'mark', group: group.name }))
  for (const w of b.pool.workers) w.delivered = 0
}

export async function closeGroup(b: Bench, group: Group) {
  await b.pool.all(() => ({ cmd: 'close', group: group.name }))
}

export async function sampleFrame(b: Bench, group: Group): Promise<string> {
  const samples = await b.pool.all<string | undefined>(() => ({ cmd: 'sample', group: group.name }))
  const frame = samples.find((s) => s)
  if (!frame) throw new BenchFailure(`${group.name}: no frame to copy for the raw ws baseline`)
  return frame.trim()
}

function waiter(b: Bench) {
  let wake: (() => void) | undefined
  const kick = () => {
    const w = wake
    wake = undefined
    w?.()
  }
  const state = { lastProgressAt: now() }
  b.pool.onProgress = () => {
    state.lastProgressAt = now()
    kick()
  }
  return {
    state,
    /** After the expected deliveries: waits until nothing more arrives for 300 ms (so a duplicate or a late extra is seen). */
    linger: async () => {
      for (let seen = -1; seen !== b.pool.delivered(); ) {
        seen = b.pool.delivered()
        await sleep(300)
      }
      b.pool.onProgress = undefined
    },
    kick,
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(kick, ms)
      }),
  }
}

export interface RunResult {
  sent: Sent[]
  deliveries: number
  elapsedMs: number
  perSec: number
}

/**
 * Closed loop for `durationMs`: messages go round-robin to the targets while fewer than `cap` deliveries are
 * outstanding (so a slow server is measured, not flooded); then waits until everything is delivered.
 * deliveries/s = deliveries ÷ (first send → last delivery).
 */
export async function throughputRun(
  b: Bench,
  group: Group,
  opts: { targets: Target[]; send: Sender; durationMs: number; maxSends?: number; label: string; resync?: (lastSeqs: Map<string, number>) => Promise<boolean> },
): Promise<RunResult> {
  await mark(b, group)
  const { kick, wait, linger, state } = waiter(b)
  // Outstanding deliveries allowed: two messages' worth (at least 500), or 100 ms at the rate seen so far,
  // whichever is more; enough to keep a fast target busy, little enough that a slow one drains quickly.
  const maxMembers = Math.max(...opts.targets.map((t) => t.members))
  const baseCap = Math.max(2 * maxMembers, 500)
  const capNow = () => {
    const elapsed = now() - start
    return elapsed < 200 ? baseCap : Math.max(baseCap, (b.pool.delivered() / elapsed) * 100)
  }
  const maxSends = opts.maxSends ?? 16
  const sent: Sent[] = []
  const lastSeqs = new Map<string, number>()
  let expected = 0
  let inFlight = 0
  let failure: unknown
  const start = now()
  const end = start + opts.durationMs
  let stalledSince = 0
  let i = 0
  const fire = (t: Target) => {
    expected += t.members
    inFlight++
    const t0 = now()
    opts.send(t.conversation).then(
      (seq) => {
        sent.push({ conversation: t.conversation, seq, t0 })
        lastSeqs.set(t.conversation, Math.max(seq, lastSeqs.get(t.conversation) ?? 0))
        inFlight--
        kick()
      },
      (e: unknown) => {
        failure ??= e
        inFlight--
        kick()
      },
    )
  }
  let lastShown = 0
  const show = () => {
    if (now() - lastShown < 500) return
    lastShown = now()
    progress(`${opts.label}: ${sent.length} sent, ${b.pool.delivered()}/${expected} delivered, ${Math.round((b.pool.delivered() / (now() - start)) * 1000)}/s`)
  }
  const resync = async () => {
    // inboxEvents may coalesce: when every socket has the latest state, nothing more is coming.
    if (opts.resync && inFlight === 0 && now() - stalledSince > 250 && (await opts.resync(lastSeqs))) expected = b.pool.delivered()
  }
  while (now() < end) {
    if (failure) throw failure
    show()
    const t = opts.targets[i % opts.targets.length]!
    if (inFlight >= maxSends || expected - b.pool.delivered() + t.members > capNow()) {
      if (!stalledSince) stalledSince = now()
      await wait(50)
      await resync()
      continue
    }
    stalledSince = 0
    i++
    fire(t)
  }
  const drainDeadline = now() + Math.max(30_000, opts.durationMs * 10)
  stalledSince = now()
  while (inFlight > 0 || b.pool.delivered() < expected) {
    if (failure) throw failure
    if (now() > drainDeadline) throw new BenchFailure(`${opts.label}: only ${b.pool.delivered()} of ${expected} deliveries arrived within the drain time; ${await diagnose(b, group, sent)}`)
    show()
    await wait(100)
    await resync()
  }
  await linger()
  const elapsedMs = state.lastProgressAt - start
  const deliveries = b.pool.delivered()
  return { sent, deliveries, elapsedMs, perSec: (deliveries / elapsedMs) * 1000 }
}

/** What the sockets of a stalled run got, for the failure message. */
async function diagnose(b: Bench, group: Group, sent: Sent[]): Promise<string> {
  const records = (await b.pool.all<SocketRecord[]>(() => ({ cmd: 'collect', group: group.name }))).flat()
  const withErrors = records.filter((r) => r.errors.length)
  const short = records.filter((r) => r.seqs.length < sent.filter((s) => s.conversation === group.conversationOf.get(r.key)).length)
  const first = short[0]
  return (
    `${withErrors.length} socket(s) reported errors${withErrors[0] ? ` (${withErrors[0].key}: ${withErrors[0].errors.slice(0, 2).join(' | ')})` : ''}; ` +
    `${short.length} socket(s) are short${first ? `, e.g. ${first.key} has seqs ${JSON.stringify(first.seqs.slice(-20))} of sent ${JSON.stringify(sent.filter((s) => s.conversation === group.conversationOf.get(first.key)).map((s) => s.seq).sort((x, y) => x - y).slice(-20))}` : ''}`
  )
}

/** Open loop: `count` messages into one conversation at `rate` per second, then waits for every delivery. */
export async function pacedRun(b: Bench, group: Group, opts: { target: Target; send: Sender; rate: number; count: number; label: string }): Promise<RunResult> {
  await mark(b, group)
  const { kick, wait, linger, state } = waiter(b)
  const sent: Sent[] = []
  let failure: unknown
  let inFlight = 0
  const start = now()
  for (let i = 0; i < opts.count; i++) {
    const due = start + (i / opts.rate) * 1000
    while (now() < due) await sleep(Math.min(due - now(), 50))
    if (failure) throw failure
    progress(`${opts.label}: ${i + 1}/${opts.count} sent at ${Math.round(opts.rate * 10) / 10}/s, ${b.pool.delivered()} delivered`)
    inFlight++
    const t0 = now()
    opts.send(opts.target.conversation).then(
      (seq) => {
        sent.push({ conversation: opts.target.conversation, seq, t0 })
        inFlight--
        kick()
      },
      (e: unknown) => {
        failure ??= e
        inFlight--
        kick()
      },
    )
  }
  const expected = opts.count * opts.target.members
  const deadline = now() + 120_000
  while (inFlight > 0 || b.pool.delivered() < expected) {
    if (failure) throw failure
    if (now() > deadline) throw new BenchFailure(`${opts.label}: only ${b.pool.delivered()} of ${expected} deliveries arrived`)
    await wait(100)
  }
  await linger()
  const elapsedMs = state.lastProgressAt - start
  return { sent, deliveries: b.pool.delivered(), elapsedMs, perSec: (b.pool.delivered() / elapsedMs) * 1000 }
}

/**
 * Every socket got exactly the seqs sent to its conversation during the run, each once, in order (for
 * inboxEvents, which coalesce by design and carry the conversation's current lastSeq: at most one event per
 * message, lastSeq never going back, ending with the last one).
 * Returns the send→deliver latencies (ms) of every delivery.
 */
export async function verify(b: Bench, group: Group, run: RunResult, opts: { inbox?: boolean; label: string }): Promise<number[]> {
  const records = (await b.pool.all<SocketRecord[]>(() => ({ cmd: 'collect', group: group.name }))).flat()
  if (records.length !== group.sockets) throw new BenchFailure(`${opts.label}: ${records.length} sockets reported, expected ${group.sockets}`)
  const byConversation = new Map<string, Sent[]>()
  for (const s of run.sent) {
    let list = byConversation.get(s.conversation)
    if (!list) byConversation.set(s.conversation, (list = []))
    list.push(s)
  }
  const t0Of = new Map<string, Map<number, number>>()
  for (const [c, list] of byConversation) {
    list.sort((x, y) => x.seq - y.seq)
    for (let i = 1; i < list.length; i++)
      if (list[i]!.seq === list[i - 1]!.seq) throw new BenchFailure(`${opts.label}: seq ${list[i]!.seq} was answered to two sends in ${c}`)
    t0Of.set(c, new Map(list.map((s) => [s.seq, s.t0])))
  }
  const latencies: number[] = []
  let checked = 0
  for (const r of records) {
    if (r.errors.length) throw new BenchFailure(`${opts.label}: socket ${r.key}: ${r.errors.slice(0, 3).join(' | ')}`)
    const conversation = group.conversationOf.get(r.key)!
    const expected = (byConversation.get(conversation) ?? []).map((s) => s.seq)
    const t0s = t0Of.get(conversation) ?? new Map<number, number>()
    if (opts.inbox) {
      // An inbox event carries no seq: `conversation { lastSeq }` is the state when it was resolved, so two
      // events may show the same lastSeq; never one going back, never more events than messages.
      const ok = r.seqs.every((seq, i) => t0s.has(seq) && (i === 0 || seq >= r.seqs[i - 1]!)) && r.seqs.at(-1) === expected.at(-1) && r.seqs.length <= expected.length
      if (!ok)
        throw new BenchFailure(
          `${opts.label}: socket ${r.key} saw lastSeq ${JSON.stringify(r.seqs.slice(0, 20))}…, expected at most ${expected.length} events with a non-decreasing lastSeq from ${expected[0]}..${expected.at(-1)} ending with the last`,
        )
    } else if (r.seqs.length !== expected.length || r.seqs.some((seq, i) => seq !== expected[i])) {
      const got = new Set(r.seqs)
      const missing = expected.filter((s) => !got.has(s))
      throw new BenchFailure(
        `${opts.label}: socket ${r.key} got ${r.seqs.length} events, expected ${expected.length} (seqs ${expected[0]}..${expected.at(-1)}) exactly once in order; ` +
          `missing ${JSON.stringify(missing.slice(0, 10))}, got ${JSON.stringify(r.seqs.slice(0, 10))}…`,
      )
    }
    if (!opts.inbox) r.seqs.forEach((seq, i) => latencies.push(r.times[i]! - t0s.get(seq)!))
    checked += r.seqs.length
  }
  if (checked !== run.deliveries) throw new BenchFailure(`${opts.label}: workers counted ${run.deliveries} deliveries, sockets recorded ${checked}`)
  return latencies
}

export { percentiles }
