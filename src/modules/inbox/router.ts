// Routes inbox events to this node's inboxEvents subscribers. One `inbox` message per change and tenant
// reaches every node; each node decides, with the visibility rule in memory (the token's role, the
// conversation's membership), which of its own subscribers hear of it: ADDED and UPDATED only those who
// see the conversation, REMOVED only those who no longer do. So an admin (who sees everything) gets
// every change of the tenant, and an operator gets the conversations of their groups.
import { possibleAudience, seesConversation, seesInternal, type VisibilityViewer } from '../../auth/visibility.js'
import type { Warn } from '../../logger.js'
import type { Broker, InboxReason, Topics } from '../../realtime/pubsub.js'
import type { MembershipCache } from '../../timeline/membership.js'

export interface InboxPayload {
  conversationId: string
  reason: InboxReason
}

interface Listener {
  viewer: VisibilityViewer
  push(payload: InboxPayload): void
}

interface TenantRoute {
  byUser: Map<string, Set<Listener>>
  overseers: Set<Listener>
  unsubscribe(): void
}

export class InboxRouter {
  private readonly tenants = new Map<string, TenantRoute>()

  constructor(
    private readonly broker: Broker,
    private readonly membership: MembershipCache,
    /** Rate-limited (src/logger.ts): routing fails for every event while the database is away. */
    private readonly warn: Warn,
  ) {}

  listen(tenantId: string, viewer: VisibilityViewer, push: (payload: InboxPayload) => void): () => void {
    let route = this.tenants.get(tenantId)
    if (!route) {
      const created: TenantRoute = {
        byUser: new Map(),
        overseers: new Set(),
        unsubscribe: this.broker.subscribe(
          'inbox',
          tenantId,
          (message) =>
            void this.route(tenantId, created, message).catch((e: unknown) =>
              this.warn('inbox.route', { err: String(e) }, 'inbox routing failed'),
            ),
        ),
      }
      route = created
      this.tenants.set(tenantId, route)
    }
    const listener: Listener = { viewer, push }
    let own = route.byUser.get(viewer.userId)
    if (!own) route.byUser.set(viewer.userId, (own = new Set()))
    own.add(listener)
    const oversees = seesConversation(viewer, { participants: new Set(), groups: new Map() })
    if (oversees) route.overseers.add(listener)
    const current = route
    return () => {
      own.delete(listener)
      if (!own.size) current.byUser.delete(viewer.userId)
      current.overseers.delete(listener)
      if (!current.byUser.size) {
        current.unsubscribe()
        if (this.tenants.get(tenantId) === current) this.tenants.delete(tenantId)
      }
    }
  }

  private async route(tenantId: string, route: TenantRoute, message: Topics['inbox']) {
    const snapshot = await this.membership.get(tenantId, message.conversationId)
    const candidates = new Set<Listener>()
    const addUser = (userId: string) => route.byUser.get(userId)?.forEach((l) => candidates.add(l))
    for (const userId of Object.keys(message.reasons)) addUser(userId)
    if (message.defaultReason && snapshot) {
      for (const userId of possibleAudience(snapshot)) addUser(userId)
      for (const l of route.overseers) candidates.add(l)
    }
    // One payload object per reason: a user's several subscriptions share one execution.
    const payloads = new Map<InboxReason, InboxPayload>()
    for (const listener of candidates) {
      const reason = message.reasons[listener.viewer.userId] ?? message.defaultReason
      if (!reason || (message.staffOnly && !seesInternal(listener.viewer))) continue
      const sees = !!snapshot && seesConversation(listener.viewer, snapshot)
      if (reason === 'REMOVED' ? sees : !sees) continue
      let payload = payloads.get(reason)
      if (!payload) payloads.set(reason, (payload = { conversationId: message.conversationId, reason }))
      listener.push(payload)
    }
  }
}
