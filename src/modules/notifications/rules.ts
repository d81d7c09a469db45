// Notification rules, run by the outbox worker on domain events.
//
// Unread message: a message in a conversation you take part in that has not reached you (your
// lastDeliveredSeq is still below it NOTIFY_DELAY_MS later) — never for the sender — becomes one
// unread notification per conversation (collapseKey) until you read that notification.
import type { AppServices } from '../../context.js'
import { encodeGlobalId } from '../../global-id.js'
import type { OutboxEvent } from '../../outbox/events.js'
import { createNotifications } from './service.js'

export const NOTIFY_UNREAD_MESSAGE_TASK = 'notify_unread_message'
export const UNREAD_MESSAGE_TYPE = 'message.unread'

export interface UnreadMessageJob {
  tenantId: string
  conversationId: string
  messageId: string
  seq: number
  senderId: string
}

/** Schedules the rules an event triggers (the fan-out calls this; a re-run replaces the same job). */
export async function scheduleNotificationRules(app: AppServices, event: OutboxEvent): Promise<void> {
  if (event.type !== 'message.created' || !event.hints) return
  const { conversationId, messageId, seq, senderId } = event.hints as { conversationId: string; messageId: string; seq: number; senderId: string }
  const job: UnreadMessageJob = { tenantId: event.tenantId, conversationId, messageId, seq, senderId }
  await app.outbox.addJob(app.prisma, NOTIFY_UNREAD_MESSAGE_TASK, job, {
    runAt: new Date(Date.now() + app.config.notifyDelayMs),
    jobKey: `notify:${messageId}`,
    jobKeyMode: 'preserve_run_at',
  })
}

export async function notifyUnreadMessage(app: AppServices, job: UnreadMessageJob): Promise<void> {
  const db = app.tenantDbs.for(job.tenantId)
  const message = await db.message.findUnique({
    where: { id: job.messageId },
    select: { body: true, deletedAt: true, internal: true, sender: { select: { displayName: true } }, conversation: { select: { subject: true } } },
  })
  if (!message || message.deletedAt) return
  const recipients = await db.participant.findMany({
    where: {
      conversationId: job.conversationId,
      leftAt: null,
      role: { not: 'OBSERVER' },
      userId: { not: job.senderId },
      lastDeliveredSeq: { lt: job.seq },
      // An internal note never notifies an end user.
      ...(message.internal && { user: { role: { not: 'MEMBER' } } }),
    },
    select: { user: { select: { id: true, externalId: true } } },
  })
  if (!recipients.length) return
  const subject = message.conversation.subject
  await createNotifications(
    app,
    job.tenantId,
    recipients.map((r) => r.user),
    {
      type: UNREAD_MESSAGE_TYPE,
      title: subject ? `New message in ${subject}` : `New message from ${message.sender.displayName}`,
      body: message.body.length > 200 ? `${message.body.slice(0, 199)}…` : message.body,
      data: { conversationId: encodeGlobalId('Conversation', job.conversationId), messageId: encodeGlobalId('Message', job.messageId), seq: job.seq },
      entityType: 'Conversation',
      entityId: job.conversationId,
      collapseKey: `conversation:${job.conversationId}`,
    },
    'rule',
  )
}
