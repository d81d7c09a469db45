// The viewer's conversation list, kept live: inboxEvents, and the first page read at once and again each
// time the socket is (re)connected: the subscription only exists once the socket is up, and inbox events
// sent while disconnected are not replayed by the server.
import { Store, Listeners } from './emitter.js'
import { SwitchboardError } from './errors.js'
import type { Connection } from './connection.js'
import type { Execute } from './http.js'
import {
  InboxEventsDocument,
  InboxPageDocument,
  type InboxConversationFragment,
  type InboxEventsSubscription,
} from './generated/graphql.js'

export type InboxConversation = InboxConversationFragment
export type InboxEvent = InboxEventsSubscription['inboxEvents']

export interface InboxSnapshot {
  /** Most recent activity first. */
  conversations: readonly InboxConversation[]
  status: 'idle' | 'loading' | 'live' | 'error'
  hasMore: boolean
  error: SwitchboardError | null
}

/** One inboxEvents subscription per client, shared by the inbox and conversation stores. */
export class InboxEvents {
  private readonly listeners = new Listeners<[InboxEvent]>()
  private live: { stop(): void } | null = null
  constructor(private connection: Connection) {}

  listen(listener: (event: InboxEvent) => void): () => void {
    const remove = this.listeners.add(listener)
    if (!this.live) this.start()
    return () => {
      remove()
      if (this.listeners.size === 0) {
        this.live?.stop()
        this.live = null
      }
    }
  }

  private start(): void {
    this.live = this.connection.live<InboxEventsSubscription>({
      request: () => ({ query: InboxEventsDocument.toString(), variables: {} }),
      next: (data) => this.listeners.emit(data.inboxEvents),
      error: () => {
        this.live = null
      },
    })
  }
}

const byActivity = (a: InboxConversation, b: InboxConversation) =>
  a.lastActivityAt < b.lastActivityAt ? 1 : a.lastActivityAt > b.lastActivityAt ? -1 : 0

export class Inbox extends Store<InboxSnapshot> {
  private byId = new Map<string, InboxConversation>()
  private status: InboxSnapshot['status'] = 'idle'
  private error: SwitchboardError | null = null
  private endCursor: string | null = null
  private hasMore = false
  private offs: Array<() => void> = []
  private loads = 0

  constructor(
    private execute: Execute,
    private connection: Connection,
    private events: InboxEvents,
    private pageSize = 50,
  ) {
    super()
  }

  protected compute(): InboxSnapshot {
    return { conversations: [...this.byId.values()].sort(byActivity), status: this.status, hasMore: this.hasMore, error: this.error }
  }

  protected override onListenersChanged(count: number): void {
    if (count > 0 && !this.offs.length) {
      this.offs.push(this.events.listen((event) => this.apply(event)))
      this.offs.push(this.connection.connected.add(() => void this.reload()))
      void this.reload()
    } else if (count === 0) {
      for (const off of this.offs.splice(0)) off()
      this.status = 'idle'
    }
  }

  apply(event: InboxEvent): void {
    if (event.reason === 'REMOVED' || !event.conversation) this.byId.delete(event.conversationId)
    else this.upsert(event.conversation)
    this.changed()
  }

  /** Reads the first page again (and drops what it no longer holds). */
  async reload(): Promise<void> {
    const load = ++this.loads
    if (this.status !== 'live') this.setStatus('loading')
    try {
      const data = await this.execute(InboxPageDocument, { first: this.pageSize })
      if (load !== this.loads) return
      const fresh = new Map(data.conversations.edges.map((e) => [e.node.id, e.node]))
      // Keep what an event told us during the read when it is newer than the page.
      for (const [id, held] of this.byId) {
        const read = fresh.get(id)
        if (read && held.lastSeq > read.lastSeq) fresh.set(id, held)
      }
      this.byId = fresh
      this.endCursor = data.conversations.pageInfo.endCursor ?? null
      this.hasMore = data.conversations.pageInfo.hasNextPage
      this.error = null
      this.setStatus('live')
      this.changed()
    } catch (e) {
      this.error = e instanceof SwitchboardError ? e : new SwitchboardError(String(e), 'NETWORK')
      this.setStatus('error')
    }
  }

  async loadMore(): Promise<void> {
    if (!this.hasMore || !this.endCursor) return
    const data = await this.execute(InboxPageDocument, { first: this.pageSize, after: this.endCursor })
    for (const edge of data.conversations.edges) this.upsert(edge.node)
    this.endCursor = data.conversations.pageInfo.endCursor ?? null
    this.hasMore = data.conversations.pageInfo.hasNextPage
    this.changed()
  }

  private upsert(conversation: InboxConversation): void {
    const held = this.byId.get(conversation.id)
    if (held && held.lastSeq > conversation.lastSeq) return
    this.byId.set(conversation.id, conversation)
  }

  private setStatus(status: InboxSnapshot['status']): void {
    if (status === this.status) return
    this.status = status
    this.changed()
  }
}
