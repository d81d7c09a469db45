// createSwitchboardClient(): one object per signed-in user. It owns the graphql-ws connection and the
// outbox, and hands out one store per screen (timeline, inbox, conversation, signals, notifications),
// each with subscribe(listener) / getSnapshot() and live work only while it has listeners.
import { Connection, type ConnectionState } from './connection.js'
import { ConversationStore } from './conversation.js'
import { SwitchboardError } from './errors.js'
import { httpExecutor, type Document, type Execute, type GetToken } from './http.js'
import { randomId } from './ids.js'
import { Inbox, InboxEvents } from './inbox.js'
import { Notifications } from './notifications.js'
import { Outbox, type OutboxEntry } from './outbox.js'
import { Signals } from './signals.js'
import { memoryStorage, type KeyValueStorage } from './storage.js'
import { tokenClaims } from './token.js'
import { Timeline, waitForDelay, type TimelineEvent, type TimelineMessage, type TimelineSource } from './timeline.js'
import type { RetryOptions } from './backoff.js'
import {
  SdkAssignConversationDocument,
  SdkClaimConversationDocument,
  SdkCloseConversationDocument,
  SdkDeleteMessageDocument,
  SdkEditMessageDocument,
  SdkMarkConversationPendingDocument,
  SdkMarkDeliveredDocument,
  SdkMarkReadDocument,
  SdkReopenConversationDocument,
  SdkSendMessageDocument,
  SdkSetViewingDocument,
  SdkTransferConversationDocument,
  SdkViewerDocument,
  TimelineAfterDocument,
  TimelineBeforeDocument,
  TimelineEventsDocument,
  TimelineLatestDocument,
  type ConversationDetailFragment,
  type SdkViewerQuery,
  type TimelineEventsSubscription,
} from './generated/graphql.js'

export interface SwitchboardClientOptions {
  /** The GraphQL endpoint over HTTP, e.g. https://chat.example.com/graphql. */
  url: string
  /** The graphql-ws endpoint; default: `url` with ws(s):. */
  wsUrl?: string
  /**
   * Returns the user's JWT. Called for every HTTP request and every WebSocket connection; `forceRefresh` is
   * true after the server refused the last token (HTTP 401, or a socket closed with 4401 when it expired),
   * and shortly before the socket's token expires (its `exp`, read without verifying: 30 s before, or 10% of
   * its lifetime when shorter), after which the socket is replaced by one opened with the new token.
   */
  getToken: GetToken
  /** Where pending sends are kept (default: in memory). localStorage and React Native's AsyncStorage fit. */
  storage?: KeyValueStorage
  /** The storage key of the outbox (default "switchboard:outbox"). */
  storageKey?: string
  /** A WebSocket implementation where there is no global one (Node < 22: `import WebSocket from 'ws'`). */
  WebSocket?: unknown
  fetch?: typeof fetch
  /**
   * An HTTP request without a (complete) answer within this time is aborted and fails as NETWORK, which the
   * outbox retries under the same clientMessageId (default 30 s).
   */
  requestTimeoutMs?: number
  /** Reconnect and resend backoff (default 500 ms doubling to 30 s, jittered). */
  retry?: RetryOptions
  /** clientMessageId generator (default: crypto.randomUUID). */
  generateId?: () => string
  /** Messages per timeline page (default 50, at most 200). */
  pageSize?: number
  /** graphql-ws keep-alive ping interval (default 10 s). */
  keepAliveMs?: number
  /**
   * A ping without a pong within this time means the connection died silently (no FIN: a network change, a
   * NAT drop): the socket is terminated (lastCloseCode 4408) and the client reconnects and resumes
   * (default keepAliveMs).
   */
  pongTimeoutMs?: number
  /** A socket not open and acknowledged within this time is terminated the same way (default 15 s; getToken's time not counted). */
  connectTimeoutMs?: number
}

export type Viewer = SdkViewerQuery['viewer']

export class SwitchboardClient {
  readonly execute: Execute
  readonly connection: Connection
  readonly outbox: Outbox<TimelineMessage>
  private viewerPromise: Promise<Viewer> | null = null
  private viewerValue: Viewer | null = null
  private timelines = new Map<string, Timeline>()
  private conversations = new Map<string, ConversationStore>()
  private signals = new Map<string, Signals>()
  private inboxStore: Inbox | null = null
  private notificationStore: Notifications | null = null
  private inboxEvents: InboxEvents
  private offs: Array<() => void> = []
  private recentlyAcknowledged = new Map<string, TimelineMessage>()

  constructor(private options: SwitchboardClientOptions) {
    const getToken: GetToken = (o) => options.getToken(o)
    this.execute = httpExecutor({
      url: options.url,
      getToken,
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.requestTimeoutMs !== undefined && { timeoutMs: options.requestTimeoutMs }),
    })
    this.connection = new Connection({
      wsUrl: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
      getToken,
      WebSocket: options.WebSocket,
      ...(options.retry && { retry: options.retry }),
      ...(options.keepAliveMs !== undefined && { keepAliveMs: options.keepAliveMs }),
      ...(options.pongTimeoutMs !== undefined && { pongTimeoutMs: options.pongTimeoutMs }),
      ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    })
    this.inboxEvents = new InboxEvents(this.connection)
    this.outbox = new Outbox<TimelineMessage>({
      storage: options.storage ?? memoryStorage(),
      storageKey: options.storageKey ?? 'switchboard:outbox',
      ...(options.retry && { retry: options.retry }),
      // Who is signed in now: the token's tenant and subject when it is a JWT (known offline too), else
      // the viewer query. A failure sends nothing rather than someone else's queue.
      owner: async () => ownerFromToken(await getToken({ forceRefresh: false })) ?? ownerKey(await this.viewer()),
      send: async (entry) => {
        const { sendMessage } = await this.execute(SdkSendMessageDocument, {
          input: {
            conversationId: entry.conversationId,
            body: entry.body,
            clientMessageId: entry.clientMessageId,
            internal: entry.internal || null,
          },
        })
        return sendMessage.message
      },
    })
    // The latest acknowledged sends, so acknowledged() of one that was stored before it was asked resolves.
    this.offs.push(
      this.outbox.acknowledged.add((entry, message) => {
        this.recentlyAcknowledged.set(entry.clientMessageId, message)
        if (this.recentlyAcknowledged.size > 500) this.recentlyAcknowledged.delete(this.recentlyAcknowledged.keys().next().value!)
      }),
    )
    // Whatever waited for the network is worth trying again as soon as a socket is up again.
    this.offs.push(this.connection.connected.add(() => void this.outbox.flush()))
    void this.outbox.ready().then(() => this.outbox.flush())
  }

  /** The signed-in user and tenant (read once; again after a failure). */
  viewer(): Promise<Viewer> {
    this.viewerPromise ??= this.execute(SdkViewerDocument, {}).then(
      (data) => (this.viewerValue = data.viewer),
      (e) => {
        this.viewerPromise = null
        throw e
      },
    )
    return this.viewerPromise
  }

  get connectionState(): ConnectionState {
    return this.connection.state
  }

  /** Calls `listener` on every connection state change. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    return this.connection.changes.add(listener)
  }

  /** The timeline store of a conversation (one per conversation per client). */
  timeline(conversationId: string): Timeline {
    let timeline = this.timelines.get(conversationId)
    if (!timeline) {
      timeline = new Timeline(conversationId, this.timelineSource(), {
        ...(this.options.pageSize !== undefined && { pageSize: this.options.pageSize }),
        ...(this.options.retry && { retry: this.options.retry }),
        viewerId: () => this.viewerValue?.user.id ?? null,
        outbox: {
          list: (id) => this.outbox.list(id),
          onChange: (listener) => this.outbox.changes.add(listener),
          onAcknowledged: (listener) => this.outbox.acknowledged.add(listener),
        },
      })
      this.timelines.set(conversationId, timeline)
    }
    return timeline
  }

  /**
   * Queues a message: it shows at once as pending in the conversation's timeline and is sent (and resent
   * until the server acknowledges it, across reconnects and, with a persistent storage, restarts) under one
   * clientMessageId, so it is stored exactly once.
   */
  send(conversationId: string, body: string, options: { internal?: boolean } = {}): OutboxEntry {
    return this.outbox.enqueue({
      conversationId,
      body,
      internal: options.internal ?? false,
      clientMessageId: (this.options.generateId ?? randomId)(),
      owner: this.viewerValue ? ownerKey(this.viewerValue) : null,
    })
  }

  /** Resolves with the committed message once the server acknowledged the queued send. */
  acknowledged(clientMessageId: string): Promise<TimelineMessage> {
    // Already stored (the answer can come before the caller asks): at once.
    const done = this.recentlyAcknowledged.get(clientMessageId)
    if (done) return Promise.resolve(done)
    return new Promise((resolve, reject) => {
      const offAck = this.outbox.acknowledged.add((entry, message) => {
        if (entry.clientMessageId !== clientMessageId) return
        offAck()
        offChange()
        resolve(message)
      })
      const offChange = this.outbox.changes.add(() => {
        const entry = this.outbox.list().find((e) => e.clientMessageId === clientMessageId)
        if (entry?.status !== 'failed') return
        offAck()
        offChange()
        reject(new SwitchboardError(entry.error?.message ?? 'Send failed', entry.error?.code ?? 'INTERNAL_SERVER_ERROR'))
      })
    })
  }

  async editMessage(messageId: string, body: string): Promise<TimelineMessage> {
    const { editMessage } = await this.execute(SdkEditMessageDocument, { input: { messageId, body } })
    return editMessage.message
  }

  async deleteMessage(messageId: string): Promise<TimelineMessage> {
    const { deleteMessage } = await this.execute(SdkDeleteMessageDocument, { input: { messageId } })
    return deleteMessage.message
  }

  /** Moves the viewer's read position to `seq` (default: the timeline's position). Never moves it back. */
  async markRead(conversationId: string, seq?: number): Promise<{ lastReadSeq: number; lastDeliveredSeq: number }> {
    const at = seq ?? this.timelines.get(conversationId)?.state.position
    if (at == null) throw new SwitchboardError('markRead needs a seq (no timeline position yet)', 'BAD_USER_INPUT')
    return (await this.execute(SdkMarkReadDocument, { input: { conversationId, seq: at } })).markRead
  }

  async markDelivered(conversationId: string, seq?: number): Promise<{ lastReadSeq: number; lastDeliveredSeq: number }> {
    const at = seq ?? this.timelines.get(conversationId)?.state.position
    if (at == null) throw new SwitchboardError('markDelivered needs a seq (no timeline position yet)', 'BAD_USER_INPUT')
    return (await this.execute(SdkMarkDeliveredDocument, { input: { conversationId, seq: at } })).markDelivered
  }

  /** The viewer's conversation list, live. */
  inbox(): Inbox {
    this.inboxStore ??= new Inbox(this.execute, this.connection, this.inboxEvents, this.options.pageSize)
    return this.inboxStore
  }

  conversation(id: string): ConversationStore {
    let store = this.conversations.get(id)
    if (!store) {
      store = new ConversationStore(id, this.execute, this.connection, this.inboxEvents)
      this.conversations.set(id, store)
    }
    return store
  }

  /** Typing, staff viewing and receipts of a conversation. */
  conversationSignals(conversationId: string): Signals {
    let store = this.signals.get(conversationId)
    if (!store) {
      store = new Signals(conversationId, this.execute, this.connection, () => this.viewerValue?.user.id ?? null)
      this.signals.set(conversationId, store)
      void this.viewer().catch(() => {})
    }
    return store
  }

  notifications(): Notifications {
    this.notificationStore ??= new Notifications(this.execute, this.connection)
    return this.notificationStore
  }

  /** Support inbox actions; each answer updates the conversation store. */
  readonly support = {
    claim: (conversationId: string) => this.supportAction(SdkClaimConversationDocument, { input: { conversationId } }),
    assign: (conversationId: string, assigneeExternalId: string | null, expectedVersion: number) =>
      this.supportAction(SdkAssignConversationDocument, { input: { conversationId, assigneeExternalId, expectedVersion } }),
    transfer: (conversationId: string, to: { groupId?: string; assigneeExternalId?: string }, expectedVersion: number) =>
      this.supportAction(SdkTransferConversationDocument, {
        input: { conversationId, expectedVersion, groupId: to.groupId ?? null, assigneeExternalId: to.assigneeExternalId ?? null },
      }),
    close: (conversationId: string, expectedVersion?: number) =>
      this.supportAction(SdkCloseConversationDocument, { input: { conversationId, expectedVersion: expectedVersion ?? null } }),
    reopen: (conversationId: string) => this.supportAction(SdkReopenConversationDocument, { input: { conversationId } }),
    markPending: (conversationId: string, expectedVersion?: number) =>
      this.supportAction(SdkMarkConversationPendingDocument, { input: { conversationId, expectedVersion: expectedVersion ?? null } }),
    /** An internal note (operators and admins), through the outbox like any send. */
    sendNote: (conversationId: string, body: string) => this.send(conversationId, body, { internal: true }),
    /** Staff presence: tells other operators the viewer has the conversation open (call again within 30 s to extend). */
    setViewing: async (conversationId: string) =>
      (await this.execute(SdkSetViewingDocument, { input: { conversationId } })).setViewing.expiresAt,
  }

  /** Skips the reconnect backoff (e.g. when React Native's NetInfo or AppState says the app is back). */
  reconnectNow(): void {
    this.connection.reconnectNow()
    void this.outbox.flush()
  }

  /** Closes the socket and stops retrying. Pending sends stay in storage. */
  close(): void {
    for (const off of this.offs.splice(0)) off()
    for (const timeline of this.timelines.values()) timeline.stop()
    this.outbox.close()
    this.connection.dispose()
  }

  private async supportAction<R extends Record<string, { conversation: ConversationDetailFragment }>, V>(
    document: Document<R, V>,
    variables: V,
  ): Promise<ConversationDetailFragment> {
    const data = await this.execute(document, variables)
    const conversation = Object.values(data)[0]!.conversation
    this.conversations.get(conversation.id)?.set(conversation)
    return conversation
  }

  private timelineSource(): TimelineSource {
    const execute = this.execute
    const connection = this.connection
    const retry = this.options.retry
    const notFound = (id: string) => new SwitchboardError(`Conversation ${id} not found`, 'NOT_FOUND')
    return {
      async latest(conversationId, last) {
        const { conversation } = await execute(TimelineLatestDocument, { conversationId, last })
        if (!conversation) throw notFound(conversationId)
        const { edges, pageInfo } = conversation.messages
        return { lastSeq: conversation.lastSeq, edges, hasOlder: pageInfo.hasPreviousPage, startCursor: pageInfo.startCursor ?? null }
      },
      async before(conversationId, before, last) {
        const { conversation } = await execute(TimelineBeforeDocument, { conversationId, before, last })
        if (!conversation) throw notFound(conversationId)
        const { edges, pageInfo } = conversation.messages
        return { lastSeq: conversation.lastSeq, edges, hasOlder: pageInfo.hasPreviousPage, startCursor: pageInfo.startCursor ?? null }
      },
      async after(conversationId, afterSeq, first, after) {
        const { conversation } = await execute(TimelineAfterDocument, { conversationId, afterSeq, first, after })
        if (!conversation) throw notFound(conversationId)
        const { edges, pageInfo } = conversation.messages
        return { lastSeq: conversation.lastSeq, edges, hasNextPage: pageInfo.hasNextPage, endCursor: pageInfo.endCursor ?? null }
      },
      follow(conversationId, handlers) {
        return connection.live<TimelineEventsSubscription>({
          request: () => ({ query: TimelineEventsDocument.toString(), variables: { conversationId, afterSeq: handlers.afterSeq() } }),
          next: (data) => handlers.next(data.conversationEvents as TimelineEvent),
          error: handlers.error,
        })
      },
      waitToRetry(attempt) {
        // Whichever comes first: the socket is back, or the backoff delay passed.
        return new Promise<void>((resolve) => {
          const off = connection.connected.add(() => done())
          const timer = waitForDelay(attempt, retry).then(() => done())
          const done = () => {
            off()
            resolve()
          }
          void timer
        })
      },
    }
  }
}

function ownerFromToken(token: string): string | null {
  const claims = tokenClaims(token)
  return typeof claims?.tid === 'string' && typeof claims.sub === 'string' ? `${claims.tid}/${claims.sub}` : null
}

function ownerKey(viewer: Viewer): string {
  return `${viewer.tenant.externalId}/${viewer.user.externalId}`
}

export function createSwitchboardClient(options: SwitchboardClientOptions): SwitchboardClient {
  return new SwitchboardClient(options)
}
