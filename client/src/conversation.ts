// One conversation's header (subject, status, assignee, participants, what the viewer may do): read over
// HTTP and read again when an inbox event or a reconnection says it may have changed.
import { Store } from './emitter.js'
import { SwitchboardError } from './errors.js'
import type { Connection } from './connection.js'
import type { Execute } from './http.js'
import type { InboxEvents } from './inbox.js'
import { ConversationDetailDocument, type ConversationDetailFragment } from './generated/graphql.js'

export type ConversationDetail = ConversationDetailFragment

export interface ConversationSnapshot {
  conversation: ConversationDetail | null
  status: 'idle' | 'loading' | 'ready' | 'not-found' | 'error'
  error: SwitchboardError | null
}

export class ConversationStore extends Store<ConversationSnapshot> {
  private conversation: ConversationDetail | null = null
  private status: ConversationSnapshot['status'] = 'idle'
  private error: SwitchboardError | null = null
  private offs: Array<() => void> = []
  private loads = 0

  constructor(
    readonly id: string,
    private execute: Execute,
    private connection: Connection,
    private events: InboxEvents,
  ) {
    super()
  }

  protected compute(): ConversationSnapshot {
    return { conversation: this.conversation, status: this.status, error: this.error }
  }

  protected override onListenersChanged(count: number): void {
    if (count > 0 && !this.offs.length) {
      this.offs.push(this.events.listen((event) => event.conversationId === this.id && void this.refresh()))
      this.offs.push(this.connection.connected.add(() => void this.refresh()))
      void this.refresh()
    } else if (count === 0) {
      for (const off of this.offs.splice(0)) off()
    }
  }

  /** Takes a newer state the caller already has (a support action's answer). */
  set(conversation: ConversationDetail): void {
    if (conversation.id !== this.id) return
    this.conversation = conversation
    this.status = 'ready'
    this.changed()
  }

  async refresh(): Promise<void> {
    const load = ++this.loads
    if (!this.conversation) {
      this.status = 'loading'
      this.changed()
    }
    try {
      const data = await this.execute(ConversationDetailDocument, { id: this.id })
      if (load !== this.loads) return
      this.conversation = data.conversation
      this.status = data.conversation ? 'ready' : 'not-found'
      this.error = null
    } catch (e) {
      this.error = e instanceof SwitchboardError ? e : new SwitchboardError(String(e), 'NETWORK')
      this.status = 'error'
    }
    this.changed()
  }
}
