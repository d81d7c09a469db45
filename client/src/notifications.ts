// The viewer's notifications: the newest page and the unread count, kept live by notificationAdded, and
// read again after every reconnection (the server does not replay notifications).
import { Store } from './emitter.js'
import { SwitchboardError } from './errors.js'
import type { Connection } from './connection.js'
import type { Execute } from './http.js'
import {
  SdkMarkNotificationsReadDocument,
  SdkNotificationAddedDocument,
  SdkNotificationsDocument,
  type SdkNotificationAddedSubscription,
  type SdkNotificationFragment,
} from './generated/graphql.js'

export type Notification = SdkNotificationFragment

export interface NotificationsSnapshot {
  /** Newest first. */
  items: readonly Notification[]
  unreadCount: number
  status: 'idle' | 'loading' | 'live' | 'error'
  error: SwitchboardError | null
}

export class Notifications extends Store<NotificationsSnapshot> {
  private items: Notification[] = []
  private unreadCount = 0
  private status: NotificationsSnapshot['status'] = 'idle'
  private error: SwitchboardError | null = null
  private live: { stop(): void } | null = null
  private offConnected: (() => void) | null = null
  private loads = 0

  constructor(
    private execute: Execute,
    private connection: Connection,
    private pageSize = 30,
  ) {
    super()
  }

  protected compute(): NotificationsSnapshot {
    return { items: this.items, unreadCount: this.unreadCount, status: this.status, error: this.error }
  }

  protected override onListenersChanged(count: number): void {
    if (count > 0 && !this.live) {
      this.live = this.connection.live<SdkNotificationAddedSubscription>({
        request: () => ({ query: SdkNotificationAddedDocument.toString(), variables: {} }),
        next: (data) => this.add(data.notificationAdded),
        error: (error) => {
          this.error = error
          this.live = null
          this.changed()
        },
      })
      this.offConnected = this.connection.connected.add(({ resumed }) => resumed && void this.reload())
      void this.reload()
    } else if (count === 0) {
      this.live?.stop()
      this.live = null
      this.offConnected?.()
      this.offConnected = null
    }
  }

  async reload(): Promise<void> {
    const load = ++this.loads
    if (this.status !== 'live') {
      this.status = 'loading'
      this.changed()
    }
    try {
      const data = await this.execute(SdkNotificationsDocument, { first: this.pageSize })
      if (load !== this.loads) return
      const read = data.notifications.edges.map((e) => e.node)
      const readIds = new Set(read.map((n) => n.id))
      // A notification that arrived live during the read and is newer than the page stays on top.
      const newer = this.items.filter((n) => !readIds.has(n.id) && (read[0] === undefined || n.createdAt > read[0].createdAt))
      this.items = [...newer, ...read]
      this.unreadCount = data.notificationUnreadCount
      this.status = 'live'
      this.error = null
    } catch (e) {
      this.error = e instanceof SwitchboardError ? e : new SwitchboardError(String(e), 'NETWORK')
      this.status = 'error'
    }
    this.changed()
  }

  /** Marks the given notifications read, or all of them. */
  async markRead(ids?: readonly string[]): Promise<void> {
    const input = ids ? { ids: [...ids] } : { all: true }
    const { markNotificationsRead } = await this.execute(SdkMarkNotificationsReadDocument, { input })
    const now = new Date().toISOString()
    const marked = ids ? new Set(ids) : null
    this.items = this.items.map((n) => (!n.readAt && (!marked || marked.has(n.id)) ? { ...n, readAt: now } : n))
    this.unreadCount = markNotificationsRead.unreadCount
    this.changed()
  }

  private add(notification: Notification): void {
    if (this.items.some((n) => n.id === notification.id)) return
    this.items = [notification, ...this.items]
    if (!notification.readAt) this.unreadCount++
    this.changed()
  }
}
