// The SDK's sync logic without a network: a scripted server (its committed messages, its pages and the
// events it would stream) drives a Timeline, including reconnects (the stream restarted with the position
// the timeline reports at that moment) and truncated replays; and the outbox's retry semantics against a
// scripted send.
import { describe, expect, it } from 'vitest'
import {
  Timeline,
  TimelineState,
  type MessageEdge,
  type TimelineEvent,
  type TimelineMessage,
  type TimelineSource,
} from '../client/src/timeline.js'
import { Outbox, type OutboxEntry } from '../client/src/outbox.js'
import { memoryStorage } from '../client/src/storage.js'
import { SwitchboardError } from '../client/src/errors.js'
import { waitUntil } from './kit/ready.js'

const ME = 'User:me'
const OTHER = 'User:other'

function message(seq: number, body = `m${seq}`, sender = OTHER, clientMessageId = `c${seq}`): TimelineMessage {
  return {
    id: `Message:${seq}`,
    seq,
    body,
    clientMessageId,
    createdAt: new Date(1_700_000_000_000 + seq * 1000).toISOString(),
    editedAt: null,
    deletedAt: null,
    internal: false,
    sender: { id: sender, externalId: sender.slice(5), displayName: sender.slice(5), role: 'MEMBER' },
  }
}

const added = (m: TimelineMessage): TimelineEvent => ({ __typename: 'MessageAddedEvent', seq: m.seq, conversationId: 'C', message: m })
const edited = (seq: number, m: TimelineMessage): TimelineEvent => ({
  __typename: 'MessageEditedEvent',
  seq,
  conversationId: 'C',
  message: m,
})
const cursor = (seq: number) => `cursor-${seq}`
const edge = (m: TimelineMessage): MessageEdge => ({ cursor: cursor(m.seq), node: m })

/**
 * A scripted server: `messages` is what it has committed (current state), `lastSeq` its timeline head.
 * Pages answer from that state; the stream is driven by the test (emit), and restart() plays a reconnect:
 * the stream starts again with the afterSeq the timeline asks for, which is recorded.
 */
function scriptedServer(initial: TimelineMessage[]) {
  const messages = new Map(initial.map((m) => [m.seq, m]))
  const state = { lastSeq: Math.max(0, ...initial.map((m) => m.seq)), afterSeqs: [] as number[], pageCalls: [] as string[] }
  let handlers: Parameters<TimelineSource['follow']>[1] | null = null
  const sorted = () => [...messages.values()].sort((a, b) => a.seq - b.seq)
  const source: TimelineSource = {
    async latest(_id, last) {
      state.pageCalls.push(`latest:${last}`)
      const all = sorted()
      const page = all.slice(-last)
      return {
        lastSeq: state.lastSeq,
        edges: page.map(edge),
        hasOlder: all.length > page.length,
        startCursor: page[0] ? cursor(page[0].seq) : null,
      }
    },
    async before(_id, before, last) {
      state.pageCalls.push(`before:${before}:${last}`)
      const beforeSeq = Number(before.slice('cursor-'.length))
      const older = sorted().filter((m) => m.seq < beforeSeq)
      const page = older.slice(-last)
      return {
        lastSeq: state.lastSeq,
        edges: page.map(edge),
        hasOlder: older.length > page.length,
        startCursor: page[0] ? cursor(page[0].seq) : null,
      }
    },
    async after(_id, afterSeq, first, after) {
      state.pageCalls.push(`after:${afterSeq}:${after ?? '-'}`)
      const from = after ? Number(after.slice('cursor-'.length)) : afterSeq
      const rest = sorted().filter((m) => m.seq > from)
      const page = rest.slice(0, first)
      const last = page[page.length - 1]
      return {
        lastSeq: state.lastSeq,
        edges: page.map(edge),
        hasNextPage: rest.length > page.length,
        endCursor: last ? cursor(last.seq) : null,
      }
    },
    follow(_id, h) {
      handlers = h
      state.afterSeqs.push(h.afterSeq())
      return { stop: () => void (handlers = null) }
    },
    waitToRetry: () => new Promise((r) => setTimeout(r, 1)),
  }
  return {
    source,
    state,
    /** Commits a message at the next seq (not streamed until emit). */
    commit(body: string, sender = OTHER, clientMessageId?: string) {
      const m = message(++state.lastSeq, body, sender, clientMessageId)
      messages.set(m.seq, m)
      return m
    },
    /** Commits an edit of `seq` as the next timeline event. */
    edit(seq: number, body: string) {
      const m = { ...messages.get(seq)!, body, editedAt: new Date().toISOString() }
      messages.set(seq, m)
      return edited(++state.lastSeq, m)
    },
    emit(event: TimelineEvent) {
      handlers!.next(event)
    },
    restart() {
      state.afterSeqs.push(handlers!.afterSeq())
    },
    get following() {
      return handlers !== null
    },
  }
}

const seqs = (t: Timeline) => t.getSnapshot().items.map((i) => (i.status === 'sent' ? i.seq : `pending:${i.clientMessageId}`))
const bodies = (t: Timeline) => t.getSnapshot().items.map((i) => (i.status === 'sent' ? i.message.body : i.entry.body))

async function open(server: ReturnType<typeof scriptedServer>, options: ConstructorParameters<typeof Timeline>[2] = {}) {
  const timeline = new Timeline('C', server.source, { pageSize: 3, viewerId: () => ME, ...options })
  const off = timeline.subscribe(() => {})
  await waitUntil(() => server.following, 'the timeline follows the stream', 2000)
  return { timeline, off }
}

describe('timeline sync (scripted frames)', () => {
  it('loads the newest page, follows after its lastSeq, and keeps messages in seq order', async () => {
    const server = scriptedServer([1, 2, 3, 4, 5].map((s) => message(s)))
    const { timeline } = await open(server)
    expect(server.state.afterSeqs).toEqual([5])
    expect(seqs(timeline)).toEqual([3, 4, 5])
    expect(timeline.getSnapshot()).toMatchObject({ position: 5, status: 'live', hasOlder: true })
    server.emit(added(server.commit('six')))
    server.emit(added(server.commit('seven')))
    expect(seqs(timeline)).toEqual([3, 4, 5, 6, 7])
    await timeline.loadOlder()
    expect(seqs(timeline)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(timeline.getSnapshot().hasOlder).toBe(false)
  })

  it('a reconnect resumes after the last applied event, and replayed events are dropped as duplicates', async () => {
    const server = scriptedServer([message(1), message(2)])
    const { timeline } = await open(server)
    const m3 = server.commit('three')
    server.emit(added(m3))
    const before = timeline.getSnapshot()
    server.restart() // the socket dropped and came back
    expect(server.state.afterSeqs).toEqual([2, 3])
    // A server (or a retried subscription) replaying what the client has changes nothing…
    server.emit(added(m3))
    expect(timeline.getSnapshot()).toBe(before)
    // …and what was sent meanwhile arrives once, in order.
    const m4 = server.commit('four')
    const m5 = server.commit('five')
    server.emit(added(m4))
    server.emit(added(m5))
    server.emit(added(m4))
    expect(seqs(timeline)).toEqual([1, 2, 3, 4, 5])
    server.restart()
    expect(server.state.afterSeqs).toEqual([2, 3, 5])
  })

  it('a screen that leaves and comes back during the first load follows once, and resumes from where it was afterwards', async () => {
    const server = scriptedServer([message(1)])
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const latest = server.source.latest
    let follows = 0
    const source: TimelineSource = {
      ...server.source,
      latest: async (...args) => (await gate, latest(...args)),
      follow: (...args) => (follows++, server.source.follow(...args)),
    }
    const timeline = new Timeline('C', source, { pageSize: 3 })
    timeline.subscribe(() => {})()
    const off = timeline.subscribe(() => {})
    release()
    await waitUntil(() => server.following, 'following', 2000)
    // Both runs were released by the same page; once every pending callback has run, the superseded one
    // must not have followed too.
    await new Promise((r) => setImmediate(r))
    expect(follows).toBe(1)
    server.emit(added(server.commit('two')))
    off()
    expect(server.following).toBe(false)
    server.commit('three (while away)')
    timeline.subscribe(() => {})
    expect(server.state.afterSeqs).toEqual([1, 2])
    expect(seqs(timeline)).toEqual([1, 2])
  })

  it('a position without contiguous seqs (notes hidden from an end user) resumes exactly after the last event seen', async () => {
    const server = scriptedServer([message(1)])
    const { timeline } = await open(server)
    server.commit('a note the member never sees')
    server.emit(added(server.commit('visible')))
    expect(seqs(timeline)).toEqual([1, 3])
    server.restart()
    expect(server.state.afterSeqs).toEqual([1, 3])
  })

  it('a truncated replay is paged over HTTP: every message of the gap, once, in order, then live', async () => {
    const server = scriptedServer([message(1), message(2)])
    const { timeline } = await open(server)
    for (let i = 0; i < 450; i++) server.commit(`gap ${i}`)
    server.restart()
    server.emit({ __typename: 'TimelineTruncatedEvent', seq: 2, conversationId: 'C', resumeAfterSeq: 452 })
    expect(timeline.getSnapshot().status).toBe('catching-up')
    await timeline.caughtUp()
    expect(seqs(timeline)).toEqual(Array.from({ length: 452 }, (_, i) => i + 1))
    expect(server.state.pageCalls.filter((c) => c.startsWith('after:'))).toEqual(['after:0:-', 'after:0:cursor-200', 'after:0:cursor-400'])
    expect(timeline.getSnapshot()).toMatchObject({ status: 'live', position: 452 })
    server.emit(added(server.commit('live')))
    expect(seqs(timeline).slice(-2)).toEqual([452, 453])
    server.restart()
    expect(server.state.afterSeqs.at(-1)).toBe(453)
  })

  it('a gap whose paging failed is kept: the next start pages it, so nothing of it is skipped', async () => {
    const server = scriptedServer([message(1), message(2)])
    let refuse = true
    const source: TimelineSource = {
      ...server.source,
      after: async (...args) => {
        if (refuse) throw new SwitchboardError('not now', 'FORBIDDEN')
        return server.source.after(...args)
      },
    }
    const timeline = new Timeline('C', source, { pageSize: 3, viewerId: () => ME })
    const off = timeline.subscribe(() => {})
    await waitUntil(() => server.following, 'following', 2000)
    for (let i = 0; i < 10; i++) server.commit(`gap ${i}`)
    server.restart()
    server.emit({ __typename: 'TimelineTruncatedEvent', seq: 2, conversationId: 'C', resumeAfterSeq: 12 })
    await timeline.caughtUp()
    expect(timeline.getSnapshot().status).toBe('error')
    off() // the screen goes away…
    refuse = false
    timeline.subscribe(() => {}) // …and comes back
    await waitUntil(() => timeline.getSnapshot().status === 'live' && seqs(timeline).length === 12, 'the gap is paged', 2000)
    expect(seqs(timeline)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
  })

  it('an edit hidden in a truncated gap reaches a message held before it', async () => {
    const server = scriptedServer([message(1, 'original'), message(2)])
    const { timeline } = await open(server)
    server.edit(1, 'edited while away')
    for (let i = 0; i < 30; i++) server.commit(`gap ${i}`)
    server.restart()
    server.emit({ __typename: 'TimelineTruncatedEvent', seq: 2, conversationId: 'C', resumeAfterSeq: server.state.lastSeq })
    await timeline.caughtUp()
    expect(bodies(timeline)[0]).toBe('edited while away')
    expect(seqs(timeline)).toHaveLength(32)
  })

  it('an older state never replaces a newer one (a page read before an edit that already arrived live)', () => {
    const state = new TimelineState()
    state.applyLatest({ lastSeq: 1, edges: [edge(message(1, 'v1'))], hasOlder: false, startCursor: cursor(1) })
    state.applyEvent(edited(5, message(1, 'v3')))
    state.applyMessages([message(1, 'v2')], 3)
    expect(state.items().map((i) => i.status === 'sent' && i.message.body)).toEqual(['v3'])
    state.applyMessages([message(1, 'v4')], 6)
    expect(state.items().map((i) => i.status === 'sent' && i.message.body)).toEqual(['v4'])
  })

  it('a pending send shows after the sent messages and is replaced by its committed message, never shown twice', async () => {
    const server = scriptedServer([message(1)])
    let pending: OutboxEntry[] = []
    const changes = new Set<() => void>()
    const acks = new Set<(e: OutboxEntry, m: TimelineMessage) => void>()
    const { timeline } = await open(server, {
      outbox: {
        list: () => pending,
        onChange: (l) => (changes.add(l), () => changes.delete(l)),
        onAcknowledged: (l) => (acks.add(l), () => acks.delete(l)),
      },
    })
    const entry: OutboxEntry = {
      clientMessageId: 'uuid-1',
      conversationId: 'C',
      body: 'hi',
      internal: false,
      queuedAt: new Date().toISOString(),
      attempts: 0,
      status: 'pending',
      error: null,
      owner: null,
    }
    pending = [entry]
    changes.forEach((l) => l())
    expect(seqs(timeline)).toEqual([1, 'pending:uuid-1'])
    // The stream delivers the committed message before the send's answer arrives.
    const committed = server.commit('hi', ME, 'uuid-1')
    server.emit(added(committed))
    expect(seqs(timeline)).toEqual([1, 2])
    // Then the acknowledgement: the outbox drops the entry; still one message.
    pending = []
    acks.forEach((l) => l(entry, committed))
    changes.forEach((l) => l())
    expect(seqs(timeline)).toEqual([1, 2])
    // Someone else's message with the same clientMessageId does not hide a pending send of the viewer.
    pending = [{ ...entry, clientMessageId: 'c9' }]
    changes.forEach((l) => l())
    server.emit(added(server.commit('theirs', OTHER, 'c9')))
    expect(seqs(timeline)).toEqual([1, 2, 3, 'pending:c9'])
  })
})

describe('outbox', () => {
  const fast = { initialDelayMs: 2, maxDelayMs: 10 }

  it('retries a send that failed for a retryable reason with the same clientMessageId until it is acknowledged, then forgets it', async () => {
    const storage = memoryStorage()
    const attempts: string[] = []
    let failuresLeft = 3
    const outbox = new Outbox<string>({
      storage,
      storageKey: 'k',
      retry: fast,
      owner: async () => 'acme/alice',
      send: async (entry) => {
        attempts.push(entry.clientMessageId)
        if (failuresLeft-- > 0) throw new SwitchboardError('offline', failuresLeft === 1 ? 'UNAVAILABLE' : 'NETWORK')
        return `stored:${entry.body}`
      },
    })
    const acked: string[] = []
    outbox.acknowledged.add((_e, m) => acked.push(m))
    outbox.enqueue({ conversationId: 'C', body: 'hello', clientMessageId: 'id-1', owner: 'acme/alice' })
    expect(JSON.parse((await (await outbox.persisted(), storage.getItem('k'))) as string)).toMatchObject([
      { clientMessageId: 'id-1', status: 'pending' },
    ])
    await outbox.settled()
    expect(attempts).toEqual(['id-1', 'id-1', 'id-1', 'id-1'])
    expect(acked).toEqual(['stored:hello'])
    await outbox.persisted()
    expect(storage.getItem('k')).toBeNull()
  })

  it('keeps the order of one conversation: a later send waits while an earlier one is retried', async () => {
    const sent: string[] = []
    let down = true
    const outbox = new Outbox<string>({
      storage: memoryStorage(),
      storageKey: 'k',
      retry: fast,
      owner: async () => null,
      send: async (entry) => {
        if (down && entry.body === 'first') {
          down = false
          throw new SwitchboardError('busy', 'RATE_LIMITED', { extensions: { retryAfter: 0 } })
        }
        sent.push(entry.body)
        return entry.body
      },
    })
    outbox.enqueue({ conversationId: 'C', body: 'first', clientMessageId: 'a', owner: null })
    outbox.enqueue({ conversationId: 'C', body: 'second', clientMessageId: 'b', owner: null })
    await outbox.settled()
    expect(sent).toEqual(['first', 'second'])
  })

  it('marks a refused send failed (no automatic retry); retry() sends it again under the same id, discard() drops it', async () => {
    const tries: string[] = []
    let refuse = true
    const outbox = new Outbox<string>({
      storage: memoryStorage(),
      storageKey: 'k',
      retry: fast,
      owner: async () => null,
      send: async (entry) => {
        tries.push(entry.clientMessageId)
        if (refuse) throw new SwitchboardError('not yours', 'FORBIDDEN')
        return 'ok'
      },
    })
    outbox.enqueue({ conversationId: 'C', body: 'x', clientMessageId: 'f1', owner: null })
    await outbox.flush()
    expect(outbox.list()).toMatchObject([{ clientMessageId: 'f1', status: 'failed', error: { code: 'FORBIDDEN' } }])
    // Longer than the longest retry backoff (fast.maxDelayMs): time is what this checks.
    await new Promise((r) => setTimeout(r, 3 * fast.maxDelayMs))
    expect(tries).toEqual(['f1'])
    refuse = false
    outbox.retry('f1')
    await outbox.settled()
    expect(tries).toEqual(['f1', 'f1'])
    expect(outbox.list()).toEqual([])
    refuse = true
    outbox.enqueue({ conversationId: 'C', body: 'y', clientMessageId: 'f2', owner: null })
    await outbox.flush()
    outbox.discard('f2')
    expect(outbox.list()).toEqual([])
  })

  it('a queue persisted by one outbox is sent by the next one on the same storage, only for its owner', async () => {
    const storage = memoryStorage()
    const first = new Outbox<string>({
      storage,
      storageKey: 'k',
      retry: fast,
      owner: async () => 'acme/alice',
      send: async () => {
        throw new SwitchboardError('offline', 'NETWORK')
      },
    })
    first.enqueue({ conversationId: 'C', body: 'mine', clientMessageId: 'p1', owner: 'acme/alice' })
    first.enqueue({ conversationId: 'C', body: 'bob’s', clientMessageId: 'p2', owner: 'acme/bob' })
    await first.flush()
    first.close()
    await first.persisted()
    const sent: string[] = []
    const second = new Outbox<string>({
      storage,
      storageKey: 'k',
      retry: fast,
      owner: async () => 'acme/alice',
      send: async (entry) => (sent.push(entry.clientMessageId), 'ok'),
    })
    await second.ready()
    await second.flush()
    expect(sent).toEqual(['p1'])
    // Bob's entry is neither sent nor shown to alice; it stays stored for bob.
    expect(second.list()).toEqual([])
    second.close()
    await second.persisted()
    expect((JSON.parse((await storage.getItem('k'))!) as Array<{ clientMessageId: string }>).map((e) => e.clientMessageId)).toEqual(['p2'])
  })

  it('sends nothing while it cannot tell who is signed in, and never a stored entry without an owner', async () => {
    const storage = memoryStorage()
    await storage.setItem(
      'k',
      JSON.stringify([
        {
          clientMessageId: 'orphan',
          conversationId: 'C',
          body: 'whose?',
          internal: false,
          queuedAt: new Date().toISOString(),
          attempts: 0,
          status: 'pending',
          error: null,
          owner: null,
        },
      ]),
    )
    let known = false
    const sent: string[] = []
    const outbox = new Outbox<string>({
      storage,
      storageKey: 'k',
      retry: fast,
      owner: async () => {
        if (!known) throw new SwitchboardError('viewer unavailable', 'UNAVAILABLE')
        return 'acme/alice'
      },
      send: async (entry) => (sent.push(entry.clientMessageId), 'ok'),
    })
    await outbox.ready()
    outbox.enqueue({ conversationId: 'C', body: 'mine', clientMessageId: 'm1', owner: null })
    await outbox.flush()
    expect(sent).toEqual([])
    expect(outbox.list().map((e) => e.clientMessageId)).toEqual(['m1'])
    known = true
    await outbox.settled()
    expect(sent).toEqual(['m1'])
    expect(outbox.list()).toEqual([])
    outbox.close()
  })
})
