// Groups of subscriber sockets held by the workers, on the server or on the raw ws baseline: opening them
// (and waiting until every subscription is live), marking, sampling a frame, closing; and the two senders.
import { BenchFailure, progress, until } from './common.js'
import { sendBody, seqOf, leanClient, type LeanClient } from './http.js'
import type { SocketSpec } from './protocol.js'
import type { Bench } from './context.js'
import { CONVERSATION_EVENTS, INBOX_EVENTS } from './seed.js'
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
  return async (conversation) =>
    seqOf(await client.post(sendBody(conversation, `fan-out message ${sendCounter}`, `fanout-${process.pid}-${sendCounter++}`), token))
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
  opts: {
    name: string
    on: 'server' | 'raw'
    sockets: Array<{ userIndex: number; conversation?: string }>
    inbox?: boolean
    measureRss?: boolean
  },
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
      if (opts.inbox) return { key, token, query: INBOX_EVENTS, seqField: 'lastSeq', variables: {} }
      return { key, token, query: CONVERSATION_EVENTS, variables: { c: s.conversation, a: afterSeq.get(s.conversation!) }, seqField: 'seq' }
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
        await until(
          `every socket of ${group.name} to receive a priming event`,
          inbox ? 3000 : 60_000,
          () => b.pool.delivered() >= group.sockets,
          20,
        )
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
