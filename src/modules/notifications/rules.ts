// Notification rules, run by the outbox worker on domain events.
//
// Unread message: a message in a conversation you take part in that has not reached you (your
// lastDeliveredSeq is still below it NOTIFY_DELAY_MS later) — never for the sender — becomes one
// unread notification per conversation (collapseKey) until you read that notification.
import { Prisma } from '../../generated/prisma/client.js'
import type { AppServices } from '../../context.js'
import type { AddJobOptions } from '../../outbox/enqueue.js'
import { decodeGlobalId, encodeGlobalId } from '../../global-id.js'
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
  if (event.type === 'conversation.assigned') return notifyAssignee(app, event)
  if (event.type !== 'message.created' || !event.hints) return
  const { conversationId, messageId, seq, senderId } = event.hints as { conversationId: string; messageId: string; seq: number; senderId: string }
  const job: UnreadMessageJob = { tenantId: event.tenantId, conversationId, messageId, seq, senderId }
  await app.outbox.addJob(app.prisma, NOTIFY_UNREAD_MESSAGE_TASK, job, unreadMessageJobOptions(app, conversationId))
}

/**
 * The same job as an SQL expression, for a send that schedules the rule itself, in its own statement
 * (when no webhook endpoint needs the message.created fan-out: src/modules/messages/outbox.ts); `seq`
 * may be an expression of that statement.
 */
export function unreadMessageJobSql(app: Pick<AppServices, 'outbox' | 'config'>, job: Omit<UnreadMessageJob, 'seq'> & { seq: number | Prisma.Sql }): Prisma.Sql {
  const payload = Prisma.sql`json_build_object('tenantId', ${job.tenantId}::text, 'conversationId', ${job.conversationId}::text, 'messageId', ${job.messageId}::text, 'seq', ${job.seq}::int, 'senderId', ${job.senderId}::text)`
  return app.outbox.addJobSql(NOTIFY_UNREAD_MESSAGE_TASK, payload, unreadMessageJobOptions(app, job.conversationId))
}

function unreadMessageJobOptions(app: Pick<AppServices, 'config'>, conversationId: string): AddJobOptions {
  return {
    runAt: new Date(Date.now() + app.config.notifyDelayMs),
    // One pending job per conversation: a burst of messages is looked at once, for its latest message
    // (the notification collapses per conversation anyway).
    jobKey: `notify:${conversationId}`,
    jobKeyMode: 'preserve_run_at',
  }
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

export const ASSIGNED_TYPE = 'conversation.assigned'

/** Assigned to you: the new assignee hears of it (not when they claimed it themselves). */
async function notifyAssignee(app: AppServices, event: OutboxEvent): Promise<void> {
  const data = event.data as { conversation: { id: string }; assignee: { id: string; externalId: string } | null; assignedBy: { id: string } }
  if (!data.assignee || data.assignee.id === data.assignedBy.id) return
  const conversationId = decodeGlobalId(data.conversation.id).id
  const assignee = { id: decodeGlobalId(data.assignee.id).id, externalId: data.assignee.externalId }
  const conversation = await app.tenantDbs.for(event.tenantId).conversation.findUnique({ where: { id: conversationId }, select: { subject: true } })
  if (!conversation) return
  await createNotifications(
    app,
    event.tenantId,
    [assignee],
    {
      type: ASSIGNED_TYPE,
      title: conversation.subject ? `Assigned to you: ${conversation.subject}` : 'A conversation was assigned to you',
      body: null,
      data: { conversationId: data.conversation.id },
      entityType: 'Conversation',
      entityId: conversationId,
      collapseKey: `assigned:${conversationId}`,
    },
    'rule',
  )
}
