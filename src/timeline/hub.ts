// Following timelines live, once per conversation per node. A Source per followed conversation listens
// on the conversation's `timeline` topic and, on every wake-up, reads what is new from the database ONCE
// for all of this node's followers, into a small ring of recent events. Each follower pulls from the
// ring at its own pace (its position is just a seq), so the ring items handed to followers are the
// same objects: the fan-out layer (src/realtime/fanout.ts) executes a selection once per item and
// group of identical subscribers. A follower behind the ring (replaying a backlog, or slow) reads its
// own pages from the database until it reaches the ring; a slow follower therefore costs reads, never
// server memory. Before every delivery the follower is checked against the visibility rule in memory
// (MembershipCache, kept current by the membership topic), and its stream ends when it may no longer see.
//
// Guarantees kept from the first design: listen first, then read the backlog, then follow; every
// wake-up reads everything after the last seq read, in seq order, so a lost or late publish is a delay,
// never a gap; seqs commit in order (the row lock), so a committed N implies N-1.
import { seesConversation, seesInternal, type VisibilityViewer } from '../auth/visibility.js'
import type { TenantDb, TenantDbCache } from '../db/tenant-scope.js'
import type { Warn } from '../logger.js'
import type { Broker, Subscription } from '../realtime/pubsub.js'
import { endWithLifetime, type Lifetime } from '../realtime/streams.js'
import type { Metrics } from '../server/metrics.js'
import type { MembershipCache } from './membership.js'
import { eventItem, readEvents, type TimelineItem } from './read.js'

const PAGE = 200
/** Recent events kept per followed conversation, shared by its followers. */
const RING_SIZE = 256
/** How long a new stream waits for the pub/sub backend to confirm before serving the backlog anyway. */
const READY_WAIT_MS = 2000

export interface HubDeps {
  tenantDbs: TenantDbCache
  broker: Broker
  membership: MembershipCache
  metrics: Metrics
  /** Rate-limited: every followed conversation retries its read while the database is away. */
  warn: Warn
}

export interface FollowOptions extends Lifetime {
  tenantId: string
  viewer: VisibilityViewer
  conversationId: string
  afterSeq: number
  /** The conversation's lastSeq when the subscription was authorized. */
  lastSeq: number
  replayLimit: number
}

export class TimelineHub {
  private readonly sources = new Map<string, Source>()
  constructor(readonly deps: HubDeps) {}

  /** A timeline change committed: wake this node's followers at once and tell the other nodes. */
  announce(conversationId: string, seq: number) {
    this.deps.broker.publish('timeline', conversationId, { conversationId, seq })
  }

  follow(options: FollowOptions): AsyncIterableIterator<TimelineItem> {
    let source = this.sources.get(options.conversationId)
    if (!source || source.tenantId !== options.tenantId) {
      source = new Source(this, options.tenantId, options.conversationId, options.lastSeq)
      this.sources.set(options.conversationId, source)
    }
    return new Follower(source, options)
  }

  /** Live sources (tests and metrics). */
  get size() {
    return this.sources.size
  }

  dropSource(source: Source) {
    if (this.sources.get(source.conversationId) === source) this.sources.delete(source.conversationId)
  }
}

class Source {
  /** Highest seq read into the ring. */
  head: number
  private ring: TimelineItem[] = []
  readonly followers = new Set<Follower>()
  private reading = false
  private again = false
  private closed = false
  readonly db: TenantDb
  private readonly unlisten: Subscription
  private readonly unresync: () => void
  private readonly unwatch: () => void
  private unpin: () => void = () => {}
  /** Resolves once the pub/sub backend confirmed the subscription (or after READY_WAIT_MS). */
  readonly ready: Promise<void>

  constructor(
    private readonly hub: TimelineHub,
    readonly tenantId: string,
    readonly conversationId: string,
    head: number,
  ) {
    this.head = head
    const { broker, membership } = hub.deps
    this.db = hub.deps.tenantDbs.for(tenantId)
    this.unlisten = broker.subscribe('timeline', conversationId, ({ seq }) => {
      if (seq > this.head) this.pump()
    })
    this.unresync = broker.onResync(() => this.pump())
    // When membership changes, followers re-check at once (not only at the next event).
    this.unwatch = membership.onChange(conversationId, () => this.wakeAll())
    void membership.get(tenantId, conversationId).then(
      () => {
        if (!this.closed) this.unpin = membership.pin(conversationId)
      },
      () => {},
    )
    this.ready = Promise.race([this.unlisten.ready, delay(READY_WAIT_MS)]).then(() => {
      // Announced before the subscription was confirmed: read again.
      this.pump()
    })
  }

  get deps() {
    return this.hub.deps
  }

  /** The ring item for `seq`, if the ring holds it. */
  itemAt(seq: number): TimelineItem | undefined {
    const first = this.ring[0]
    if (!first || first.kind !== 'event') return undefined
    return this.ring[seq - first.event.seq]
  }

  /** Reads everything after head, once, for every follower of this node. */
  pump() {
    if (this.closed) return
    if (this.reading) {
      this.again = true
      return
    }
    this.reading = true
    void (async () => {
      try {
        do {
          this.again = false
          const events = await readEvents(this.db, this.conversationId, this.head, PAGE)
          for (const event of events) {
            // Not expected (seqs commit in order); never skip: read again shortly.
            if (event.seq !== this.head + 1) {
              setTimeout(() => this.pump(), 20).unref()
              break
            }
            // Read live (after a wake-up): the writers measure commit → socket for these; a follower's own
            // backlog pages (replays) carry no commit time.
            this.ring.push({ kind: 'event', event, eventId: event.seq, committedAt: event.createdAt.getTime() })
            this.head = event.seq
          }
          if (this.ring.length > RING_SIZE) this.ring.splice(0, this.ring.length - RING_SIZE)
          if (events.length === PAGE) this.again = true
          if (events.length) this.wakeAll()
        } while (this.again && !this.closed)
      } catch (e) {
        this.hub.deps.warn('timeline.read', { err: String(e), conversationId: this.conversationId }, 'timeline read failed; retrying')
        setTimeout(() => this.pump(), 500).unref()
      } finally {
        this.reading = false
      }
    })()
  }

  private wakeAll() {
    for (const follower of this.followers) follower.wake()
  }

  detach(follower: Follower) {
    this.followers.delete(follower)
    if (this.followers.size) return
    this.closed = true
    this.unlisten()
    this.unresync()
    this.unwatch()
    this.unpin()
    this.hub.dropSource(this)
  }
}

class Follower implements AsyncIterableIterator<TimelineItem> {
  private delivered: number
  private done = false
  private waiting: (() => void) | undefined
  private pendingWake = false
  private backlog: TimelineItem[] = []
  private truncated: TimelineItem | undefined
  private readonly disposeLifetime: () => void
  private readonly started: Promise<void>
  private readonly seesInternal: boolean

  constructor(
    private readonly source: Source,
    private readonly options: FollowOptions,
  ) {
    this.delivered = options.afterSeq
    this.seesInternal = seesInternal(options.viewer)
    source.followers.add(this)
    source.deps.metrics.activeSubscriptions.inc({ field: 'conversationEvents' })
    // The backlog, unless it is longer than the replay limit: then say so and go on from lastSeq.
    if (options.lastSeq - options.afterSeq > options.replayLimit) {
      this.truncated = {
        kind: 'truncated',
        conversationId: options.conversationId,
        afterSeq: options.afterSeq,
        resumeAfterSeq: options.lastSeq,
        eventId: options.lastSeq,
      }
      this.delivered = options.lastSeq
    }
    this.disposeLifetime = endWithLifetime(options, () => void this.return())
    // The database already knows more than this node's source (an announcement it missed): read it.
    this.started = source.ready.then(() => {
      if (options.lastSeq > source.head) source.pump()
    })
  }

  [Symbol.asyncIterator]() {
    return this
  }

  wake() {
    this.pendingWake = true
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }

  async next(): Promise<IteratorResult<TimelineItem>> {
    await this.started
    while (!this.done) {
      this.pendingWake = false
      if (this.truncated) {
        const item = this.truncated
        this.truncated = undefined
        return this.deliver(item, this.delivered)
      }
      const want = this.delivered + 1
      let item = this.source.itemAt(want)
      if (!item && this.backlog.length) {
        item = this.backlog.shift()!
        if (item.kind !== 'event' || item.event.seq !== want) {
          this.backlog = []
          continue
        }
      }
      if (item) {
        if (!(await this.allowed())) break
        if (this.done) break
        // An internal note's events are not for end users: their seqs increase but skip it.
        if (item.kind === 'event' && item.event.internal && !this.seesInternal) {
          this.delivered = want
          continue
        }
        return this.deliver(item, want)
      }
      if (want <= this.source.head) {
        // Behind the ring: read this follower's own page from the database.
        const events = await readEvents(this.source.db, this.options.conversationId, this.delivered, PAGE)
        if (events[0]?.seq === want) this.backlog = events.map(eventItem)
        else if (!this.done) await delay(20)
        if (events.length && events[events.length - 1]!.seq > this.source.head) this.source.pump()
        continue
      }
      // Up to date: wait for the source (or a membership change) to wake us.
      if (!this.pendingWake) await new Promise<void>((resolve) => (this.waiting = resolve))
      // A membership change wakes without events: re-check now.
      if (!this.done && !(await this.allowed())) break
    }
    this.finish()
    return { done: true, value: undefined }
  }

  private deliver(item: TimelineItem, seq: number): IteratorResult<TimelineItem> {
    this.delivered = seq
    return { done: false, value: item }
  }

  private async allowed(): Promise<boolean> {
    const { membership } = this.source.deps
    const cached = membership.peek(this.options.tenantId, this.options.conversationId)
    const snapshot = cached !== undefined ? cached : await membership.get(this.options.tenantId, this.options.conversationId)
    return !!snapshot && seesConversation(this.options.viewer, snapshot)
  }

  private finish() {
    if (this.done && !this.source.followers.has(this)) return
    this.done = true
    this.disposeLifetime()
    if (this.source.followers.has(this)) {
      this.source.detach(this)
      this.source.deps.metrics.activeSubscriptions.dec({ field: 'conversationEvents' })
    }
  }

  async return(): Promise<IteratorResult<TimelineItem>> {
    this.done = true
    this.finish()
    this.wake()
    return { done: true, value: undefined }
  }

  async throw(error?: unknown): Promise<IteratorResult<TimelineItem>> {
    await this.return()
    throw error
  }
}

function delay(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms).unref())
}
