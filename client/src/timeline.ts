// One conversation's timeline on the client.
//
// TimelineState is the pure part: messages keyed by seq, the resume position, pending sends, and what an
// event, a page or an acknowledgement does to them. Timeline drives it: it loads the newest page over
// HTTP, then follows conversationEvents with afterSeq = position (recomputed on every reconnect), pages a
// gap the server announces with TimelineTruncatedEvent, and loads older pages on demand.
//
// The position is the seq of the last timeline event applied from the stream (or the lastSeq read with the
// first page). The server delivers every event after afterSeq in seq order exactly once, skipping only
// internal notes for end users, so "every event up to the position is applied" holds without the seqs
// being contiguous; anything at or below the position that arrives again is a duplicate and is dropped.
import { backoffDelay, type RetryOptions } from './backoff.js'
import { Store } from './emitter.js'
import { SwitchboardError } from './errors.js'
import type { TimelineEventsSubscription, TimelineMessageFragment } from './generated/graphql.js'
import type { OutboxEntry } from './outbox.js'

export type TimelineMessage = TimelineMessageFragment
export type TimelineEvent = TimelineEventsSubscription['conversationEvents']

export interface MessageEdge {
  cursor: string
  node: TimelineMessage
}

export type TimelineItem =
  | { key: string; status: 'sent'; seq: number; clientMessageId: string; message: TimelineMessage }
  | { key: string; status: 'pending' | 'failed'; seq: null; clientMessageId: string; entry: OutboxEntry }

/** error: see `error` (NOT_FOUND: the conversation does not exist or the viewer may no longer see it). */
export type TimelineStatus = 'idle' | 'loading' | 'live' | 'catching-up' | 'error'

export interface TimelineSnapshot {
  conversationId: string
  /** Sent messages in seq order, then the viewer's pending and failed sends in the order they were queued. */
  items: readonly TimelineItem[]
  /** Every timeline event up to this seq is applied (null before the first page). */
  position: number | null
  status: TimelineStatus
  hasOlder: boolean
  loadingOlder: boolean
  error: SwitchboardError | null
}

interface Held {
  message: TimelineMessage
  /** A seq at or below which this state is current: newer information replaces it, older does not. */
  revision: number
}

/** A gap to page over HTTP: everything after `afterSeq` up to `untilSeq`. */
export interface Gap {
  afterSeq: number
  untilSeq: number
}

export class TimelineState {
  private messages = new Map<number, Held>()
  position: number | null = null
  oldestCursor: string | null = null
  hasOlder = false
  pending: readonly OutboxEntry[] = []
  /** The viewer's User id: a committed message of theirs replaces the pending send with its clientMessageId. */
  viewerId: string | null = null

  /** The newest page and the lastSeq read before it. */
  applyLatest(page: { lastSeq: number; edges: readonly MessageEdge[]; hasOlder: boolean; startCursor: string | null }): void {
    for (const edge of page.edges) this.upsert(edge.node, page.lastSeq)
    if (this.position === null || page.lastSeq > this.position) this.position = page.lastSeq
    if (this.oldestCursor === null || (page.edges[0] && page.edges[0].node.seq <= this.oldestSeq())) {
      this.oldestCursor = page.startCursor
      this.hasOlder = page.hasOlder
    }
  }

  /** A page of older messages (scrolling up). */
  applyOlder(page: { lastSeq: number; edges: readonly MessageEdge[]; hasOlder: boolean; startCursor: string | null }): void {
    for (const edge of page.edges) this.upsert(edge.node, page.lastSeq)
    if (page.edges.length) this.oldestCursor = page.startCursor
    this.hasOlder = page.hasOlder
  }

  /** Messages read over HTTP after the lastSeq of the same answer (a gap's page). */
  applyMessages(messages: readonly TimelineMessage[], revision: number): void {
    for (const message of messages) this.upsert(message, revision)
  }

  /** The server acknowledged a send: the committed message, at least as new as its own seq. */
  applyAcknowledged(message: TimelineMessage): void {
    this.upsert(message, message.seq)
  }

  /**
   * One event of the live stream. Returns the gap to page when the server truncated the replay; returns
   * 'duplicate' for an event at or below the position (nothing changes).
   */
  applyEvent(event: TimelineEvent): Gap | 'duplicate' | null {
    if (event.__typename === 'TimelineTruncatedEvent') {
      const gap = { afterSeq: event.seq, untilSeq: event.resumeAfterSeq }
      if (this.position === null || event.resumeAfterSeq > this.position) this.position = event.resumeAfterSeq
      return gap.untilSeq > gap.afterSeq ? gap : null
    }
    if (this.position !== null && event.seq <= this.position) return 'duplicate'
    if (
      event.__typename === 'MessageAddedEvent' ||
      event.__typename === 'MessageEditedEvent' ||
      event.__typename === 'MessageDeletedEvent'
    ) {
      this.upsert(event.message, event.seq)
    }
    this.position = event.seq
    return null
  }

  /** Where a gap's paging starts: also re-reading every held message, whose edits the gap may hold. */
  gapStart(gap: Gap): number {
    return this.messages.size ? Math.min(gap.afterSeq, this.oldestSeq() - 1) : gap.afterSeq
  }

  has(seq: number): boolean {
    return this.messages.has(seq)
  }

  items(): TimelineItem[] {
    const sent = [...this.messages.values()].sort((a, b) => a.message.seq - b.message.seq)
    const committedIds = new Set(
      sent.filter((h) => this.viewerId === null || h.message.sender.id === this.viewerId).map((h) => h.message.clientMessageId),
    )
    const items: TimelineItem[] = sent.map((h) => ({
      key: h.message.id,
      status: 'sent',
      seq: h.message.seq,
      clientMessageId: h.message.clientMessageId,
      message: h.message,
    }))
    for (const entry of this.pending) {
      if (committedIds.has(entry.clientMessageId)) continue
      items.push({ key: entry.clientMessageId, status: entry.status, seq: null, clientMessageId: entry.clientMessageId, entry })
    }
    return items
  }

  private oldestSeq(): number {
    let oldest = Infinity
    for (const seq of this.messages.keys()) if (seq < oldest) oldest = seq
    return oldest
  }

  private upsert(message: TimelineMessage, revision: number): void {
    const held = this.messages.get(message.seq)
    if (held && held.revision > revision) return
    this.messages.set(message.seq, { message, revision })
  }
}

/** What a Timeline needs from the network; the client provides HTTP queries and the graphql-ws connection. */
export interface TimelineSource {
  latest(
    conversationId: string,
    last: number,
  ): Promise<{ lastSeq: number; edges: readonly MessageEdge[]; hasOlder: boolean; startCursor: string | null }>
  before(
    conversationId: string,
    cursor: string,
    last: number,
  ): Promise<{ lastSeq: number; edges: readonly MessageEdge[]; hasOlder: boolean; startCursor: string | null }>
  after(
    conversationId: string,
    afterSeq: number,
    first: number,
    cursor: string | null,
  ): Promise<{ lastSeq: number; edges: readonly MessageEdge[]; hasNextPage: boolean; endCursor: string | null }>
  /** Follows the stream; `afterSeq()` is asked at every (re)start. */
  follow(
    conversationId: string,
    handlers: { afterSeq(): number; next(event: TimelineEvent): void; error(error: SwitchboardError): void },
  ): { stop(): void }
  /** Resolves when it is worth trying a failed HTTP read again (a reconnection, or a backoff delay). */
  waitToRetry(attempt: number): Promise<void>
}

export interface TimelineOptions {
  pageSize?: number
  /** Pending sends of this conversation, and a way to hear about changes and acknowledgements. */
  outbox?: {
    list(conversationId: string): readonly OutboxEntry[]
    onChange(listener: () => void): () => void
    onAcknowledged(listener: (entry: OutboxEntry, message: TimelineMessage) => void): () => void
  }
  viewerId?: () => string | null
  retry?: RetryOptions
}

export class Timeline extends Store<TimelineSnapshot> {
  readonly state = new TimelineState()
  private status: TimelineStatus = 'idle'
  private error: SwitchboardError | null = null
  private follow: { stop(): void } | null = null
  private running = false
  /** Increments per start(): a run superseded by a stop() and a new start() gives up after its await. */
  private runId = 0
  private loadingOlder = false
  private gaps: Gap[] = []
  private filling: Promise<void> | null = null
  private unlisten: Array<() => void> = []
  private events = new Set<(event: TimelineEvent) => void>()

  constructor(
    readonly conversationId: string,
    private source: TimelineSource,
    private options: TimelineOptions = {},
  ) {
    super()
  }

  protected compute(): TimelineSnapshot {
    return {
      conversationId: this.conversationId,
      items: this.state.items(),
      position: this.state.position,
      status: this.status,
      hasOlder: this.state.hasOlder,
      loadingOlder: this.loadingOlder,
      error: this.error,
    }
  }

  protected override onListenersChanged(count: number): void {
    if (count > 0) this.start()
    else this.stop()
  }

  /** Every live event as it is applied (duplicates are not passed on). */
  onEvent(listener: (event: TimelineEvent) => void): () => void {
    this.events.add(listener)
    return () => this.events.delete(listener)
  }

  /** Starts loading and following (subscribe() does this for the first listener). */
  start(): void {
    if (this.running) return
    this.running = true
    this.runId++
    const outbox = this.options.outbox
    if (outbox) {
      const syncPending = () => {
        this.state.pending = outbox.list(this.conversationId)
        this.changed()
      }
      this.unlisten.push(outbox.onChange(syncPending))
      this.unlisten.push(
        outbox.onAcknowledged((entry, message) => {
          if (entry.conversationId !== this.conversationId) return
          this.state.applyAcknowledged(message)
          this.changed()
        }),
      )
      this.state.pending = outbox.list(this.conversationId)
    }
    void this.run()
  }

  /** Stops following; what is held stays, and the next start() resumes from the position. */
  stop(): void {
    this.running = false
    this.follow?.stop()
    this.follow = null
    for (const off of this.unlisten.splice(0)) off()
    if (this.status === 'live' || this.status === 'loading' || this.status === 'catching-up') this.setStatus('idle')
  }

  /** Loads the page before the oldest message held. */
  async loadOlder(count = this.options.pageSize ?? 50): Promise<void> {
    const cursor = this.state.oldestCursor
    if (!cursor || !this.state.hasOlder || this.loadingOlder) return
    this.loadingOlder = true
    this.changed()
    try {
      this.state.applyOlder(await this.source.before(this.conversationId, cursor, count))
    } finally {
      this.loadingOlder = false
      this.changed()
    }
  }

  /** Resolves when no gap is being paged. */
  async caughtUp(): Promise<void> {
    while (this.filling) await this.filling
  }

  private async run(): Promise<void> {
    const runId = this.runId
    const current = () => this.running && this.runId === runId
    this.error = null
    if (this.state.position === null) {
      this.setStatus('loading')
      for (let attempt = 0; current(); attempt++) {
        try {
          const page = await this.source.latest(this.conversationId, this.options.pageSize ?? 50)
          if (!current()) return
          this.state.viewerId = this.options.viewerId?.() ?? null
          this.state.applyLatest(page)
          this.changed()
          break
        } catch (e) {
          if (!current()) return
          if (!this.retryable(e)) return this.fail(e)
          await this.source.waitToRetry(attempt)
        }
      }
    }
    if (!current()) return
    this.state.viewerId = this.options.viewerId?.() ?? this.state.viewerId
    this.setStatus(this.gaps.length ? 'catching-up' : 'live')
    // Gaps a previous run could not page (it failed or was stopped) are paged now.
    if (this.gaps.length) this.pageGaps()
    this.follow = this.source.follow(this.conversationId, {
      afterSeq: () => this.state.position ?? 0,
      next: (event) => {
        const result = this.state.applyEvent(event)
        if (result === 'duplicate') return
        if (result) this.fillGap(result)
        this.changed()
        for (const listener of [...this.events]) listener(event)
      },
      error: (error) => this.fail(error),
    })
  }

  private fillGap(gap: Gap): void {
    this.gaps.push(gap)
    this.pageGaps()
  }

  /** Pages the gaps held, oldest first. A gap is dropped only once paged: after a failure or a stop it is
   * kept, and the next start() pages it again (the position already moved past it). */
  private pageGaps(): void {
    this.setStatus('catching-up')
    if (this.filling) return
    this.filling = (async () => {
      try {
        while (this.gaps.length) {
          const next = this.gaps[0]!
          for (let attempt = 0; ; attempt++) {
            try {
              await this.pageGap(next)
              break
            } catch (e) {
              if (!this.retryable(e) || !this.running) throw e
              await this.source.waitToRetry(attempt)
            }
          }
          this.gaps.shift()
        }
        if (this.status === 'catching-up') this.setStatus('live')
      } catch (e) {
        this.fail(e)
      } finally {
        this.filling = null
      }
    })()
  }

  private async pageGap(gap: Gap): Promise<void> {
    const afterSeq = this.state.gapStart(gap)
    let cursor: string | null = null
    for (;;) {
      const page = await this.source.after(this.conversationId, afterSeq, 200, cursor)
      this.state.applyMessages(
        page.edges.map((e) => e.node),
        page.lastSeq,
      )
      this.changed()
      const last = page.edges[page.edges.length - 1]?.node.seq ?? Infinity
      if (!page.hasNextPage || last >= gap.untilSeq || !page.endCursor) return
      cursor = page.endCursor
    }
  }

  private retryable(e: unknown): boolean {
    return e instanceof SwitchboardError ? e.retryable : true
  }

  private fail(e: unknown): void {
    this.error =
      e instanceof SwitchboardError ? e : new SwitchboardError(String((e as Error)?.message ?? e), 'INTERNAL_SERVER_ERROR', { cause: e })
    this.follow?.stop()
    this.follow = null
    this.setStatus('error')
  }

  private setStatus(status: TimelineStatus): void {
    if (this.status === status) return
    this.status = status
    this.changed()
  }
}

export function waitForDelay(attempt: number, retry?: RetryOptions): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, retry)))
}
