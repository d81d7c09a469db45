// After-commit publishing. Services call these once their transaction has committed; nothing here can
// fail or delay the write that caused it (publishes are fire-and-forget, and subscribers re-read the
// truth from the database, so a lost publish only delays delivery until the next one or a resume).
import { type Context, db } from '../context.js'
import type { Topics } from './pubsub.js'

type InboxReason = Topics['inbox']['reason']

/** The conversation's timeline reached `seq`; the conversation changed in everyone's inbox. */
export function publishTimeline(ctx: Context, conversationId: string, seq: number, inboxReasons: Record<string, InboxReason> = {}) {
  ctx.app.broker.publish('timeline', conversationId, { conversationId, seq })
  publishInbox(ctx, conversationId, inboxReasons)
}

/**
 * Tells everyone whose conversation list shows this conversation that it changed (UPDATED), and the
 * users named in `reasons` that it was ADDED to or REMOVED from their list (`othersReason` for a
 * conversation that is new to everyone).
 */
export function publishInbox(ctx: Context, conversationId: string, reasons: Record<string, InboxReason> = {}, othersReason: InboxReason = 'UPDATED') {
  void inboxRecipients(ctx, conversationId).then(
    (userIds) => {
      for (const userId of new Set([...userIds, ...Object.keys(reasons)]))
        ctx.app.broker.publish('inbox', userId, { conversationId, reason: reasons[userId] ?? othersReason })
    },
    (e: unknown) => ctx.log.warn({ err: String(e), conversationId }, 'inbox fan-out failed'),
  )
}

/** Active participants plus the operators of the conversation's groups. */
async function inboxRecipients(ctx: Context, conversationId: string): Promise<string[]> {
  const [participants, members] = await Promise.all([
    db(ctx).participant.findMany({ where: { conversationId, leftAt: null, role: { not: 'OBSERVER' } }, select: { userId: true } }),
    db(ctx).groupMember.findMany({ where: { group: { conversations: { some: { conversationId } } }, user: { role: 'OPERATOR' } }, select: { userId: true } }),
  ])
  return [...participants, ...members].map((r) => r.userId)
}

/** An ephemeral signal (typing, receipts): no seq, not replayed. */
export function publishSignal(ctx: Context, signal: Topics['signal']) {
  ctx.app.broker.publish('signal', signal.conversationId, signal)
}
