// After-commit publishing. Services call these once their transaction has committed; nothing here can
// fail or delay the write that caused it (publishes are fire-and-forget, this node's own subscribers are
// told at once, and subscribers re-read the truth from the database).
import { type Context, viewerOf } from '../context.js'
import type { InboxReason, Topics } from './pubsub.js'

export interface TimelineChange {
  /** Users for whom the conversation was ADDED to or REMOVED from their list. */
  inbox?: Record<string, InboxReason>
  /** Participants joined or left: live streams and inbox routing re-read who takes part. */
  membershipChanged?: boolean
  /** An internal note: end users' inboxes do not hear of it. */
  staffOnly?: boolean
}

/** The conversation's timeline reached `seq`: live followers read it, everyone's inbox shows the change. */
export function announceTimeline(ctx: Context, conversationId: string, seq: number, change: TimelineChange = {}) {
  const { broker, timeline } = ctx.app
  if (change.membershipChanged) broker.publish('membership', 'all', { conversationId })
  timeline.announce(conversationId, seq)
  publishInbox(ctx, conversationId, change.inbox ?? {}, 'UPDATED', change.staffOnly)
}

/** The conversation changed in the lists of those who see it (see Topics['inbox']). */
export function publishInbox(
  ctx: Context,
  conversationId: string,
  reasons: Record<string, InboxReason>,
  defaultReason: InboxReason | null,
  staffOnly = false,
) {
  ctx.app.broker.publish('inbox', viewerOf(ctx).tenantId, { conversationId, reasons, defaultReason, ...(staffOnly && { staffOnly }) })
}

/** A new conversation: membership is new, everyone who sees it gets ADDED. */
export function announceCreated(ctx: Context, conversationId: string) {
  ctx.app.broker.publish('membership', 'all', { conversationId })
  publishInbox(ctx, conversationId, {}, 'ADDED')
}

/** An ephemeral signal (typing, receipts): no seq, not replayed. */
export function publishSignal(ctx: Context, signal: Topics['signal']) {
  ctx.app.broker.publish('signal', signal.conversationId, signal)
}
