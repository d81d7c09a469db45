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
import { awaitConversationWriters } from '../../db/statements.js'

export const NOTIFY_UNREAD_MESSAGE_TASK = 'notify_unread_message'
export const UNREAD_MESSAGE_TYPE = 'message.unread'

/** The message that scheduled the job; the job itself looks at the conversation's latest message. */
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
  const { conversationId, messageId, seq, senderId } = event.hints as {
    conversationId: string
    messageId: string
    seq: number
    senderId: string
  }
  const job: UnreadMessageJob = { tenantId: event.tenantId, conversationId, messageId, seq, senderId }
  await app.outbox.addJob(app.prisma, NOTIFY_UNREAD_MESSAGE_TASK, job, unreadMessageJobOptions(app, conversationId))
}

/**
 * The same job as an SQL expression (the job's id, or NULL when none was added), for a send that
 * schedules the rule in its own statement (when no webhook endpoint needs the message.created
 * fan-out: src/modules/messages/outbox.ts). It adds nothing
 * while the conversation's job is still waiting to run later: that job reads the conversation's latest
 * message when it runs, so a burst of sends costs one job, not one add_job (and one worker wake-up)
 * each. Why a skipped send is never missed: the statement holds the conversation's row lock from
 * before it checks until it commits; the job can only be taken once its run_at has passed, which the
 * check saw still ahead (the database's clock, as graphile-worker's); and the job first waits for that
 * row lock (awaitConversationWriters), so it reads after the send committed. A job already taken, or
 * retrying, is not relied on: the send adds a new one, as the fan-out does.
 */
export function unreadMessageJobSql(
  app: Pick<AppServices, 'outbox' | 'config'>,
  job: Omit<UnreadMessageJob, 'seq'> & { seq: number | Prisma.Sql },
): Prisma.Sql {
  const options = unreadMessageJobOptions(app, job.conversationId)
  const payload = Prisma.sql`json_build_object('tenantId', ${job.tenantId}::text, 'conversationId', ${job.conversationId}::text, 'messageId', ${job.messageId}::text, 'seq', ${job.seq}::int, 'senderId', ${job.senderId}::text)`
  const waiting = Prisma.sql`EXISTS (SELECT 1 FROM ${Prisma.raw(`"${app.outbox.schema}"`)}.jobs j
    WHERE j.key = ${options.jobKey}::text AND j.task_identifier = ${app.outbox.taskName(NOTIFY_UNREAD_MESSAGE_TASK)}::text
      AND j.locked_at IS NULL AND j.attempts = 0 AND j.run_at > clock_timestamp())`
  return Prisma.sql`CASE WHEN ${waiting} THEN NULL ELSE (${app.outbox.addJobSql(NOTIFY_UNREAD_MESSAGE_TASK, payload, options)}).id END`
}

function unreadMessageJobOptions(app: Pick<AppServices, 'config'>, conversationId: string) {
  return {
    runAt: new Date(Date.now() + app.config.notifyDelayMs),
    // One pending job per conversation: a burst of messages is looked at once, for its latest message
    // (the notification collapses per conversation anyway).
    jobKey: `notify:${conversationId}`,
    jobKeyMode: 'preserve_run_at',
  } satisfies AddJobOptions
}

/**
 * Looks at the conversation's latest message (the job's own message may be older: sends while the job
 * waits do not touch it) after every send in flight has committed.
 */
export async function notifyUnreadMessage(app: AppServices, job: UnreadMessageJob): Promise<void> {
  const db = app.tenantDbs.for(job.tenantId)
  const messageSelect = {
    id: true,
    seq: true,
    senderId: true,
    body: true,
    deletedAt: true,
    internal: true,
    sender: { select: { displayName: true } },
  } as const
  const found = await db.$transaction(async (tx) => {
    if (!(await awaitConversationWriters(tx, job.tenantId, job.conversationId))) return null
    const conversation = await tx.conversation.findUnique({
      where: { id: job.conversationId },
      select: { subject: true, lastMessage: { select: messageSelect } },
    })
    if (!conversation) return null
    // What each audience is told about: the latest message; when that is an internal note (end users never
    // see it) or deleted, the latest message end users can see is theirs (a reply followed by a note within
    // the delay must still reach the customer).
    const latest = conversation.lastMessage
    const targets: Array<{ message: NonNullable<typeof latest>; audience: 'all' | 'staff' | 'members' }> = []
    if (latest && !latest.deletedAt) targets.push({ message: latest, audience: latest.internal ? 'staff' : 'all' })
    if (!latest || latest.deletedAt || latest.internal) {
      const visible = await tx.message.findFirst({
        where: { conversationId: job.conversationId, internal: false, deletedAt: null },
        orderBy: { seq: 'desc' },
        select: messageSelect,
      })
      if (visible) targets.push({ message: visible, audience: latest && !latest.deletedAt ? 'members' : 'all' })
    }
    const out = []
    for (const { message, audience } of targets) {
      const recipients = await tx.participant.findMany({
        where: {
          conversationId: job.conversationId,
          leftAt: null,
          role: { not: 'OBSERVER' },
          userId: { not: message.senderId },
          lastDeliveredSeq: { lt: message.seq },
          ...(audience === 'staff' && { user: { role: { not: 'MEMBER' } } }),
          ...(audience === 'members' && { user: { role: 'MEMBER' } }),
        },
        select: { user: { select: { id: true, externalId: true } } },
      })
      if (recipients.length) out.push({ message, recipients })
    }
    return { subject: conversation.subject, targets: out }
  })
  if (!found) return
  for (const { message, recipients } of found.targets) {
    await createNotifications(
      app,
      job.tenantId,
      recipients.map((r) => r.user),
      {
        type: UNREAD_MESSAGE_TYPE,
        title: found.subject ? `New message in ${found.subject}` : `New message from ${message.sender.displayName}`,
        body: message.body.length > 200 ? `${message.body.slice(0, 199)}…` : message.body,
        data: {
          conversationId: encodeGlobalId('Conversation', job.conversationId),
          messageId: encodeGlobalId('Message', message.id),
          seq: message.seq,
        },
        entityType: 'Conversation',
        entityId: job.conversationId,
        collapseKey: `conversation:${job.conversationId}`,
      },
      'rule',
    )
  }
}

export const ASSIGNED_TYPE = 'conversation.assigned'

/** Assigned to you: the new assignee hears of it (not when they claimed it themselves). */
async function notifyAssignee(app: AppServices, event: OutboxEvent): Promise<void> {
  const data = event.data as {
    conversation: { id: string }
    assignee: { id: string; externalId: string } | null
    assignedBy: { id: string }
  }
  if (!data.assignee || data.assignee.id === data.assignedBy.id) return
  const conversationId = decodeGlobalId(data.conversation.id).id
  const assignee = { id: decodeGlobalId(data.assignee.id).id, externalId: data.assignee.externalId }
  const conversation = await app.tenantDbs
    .for(event.tenantId)
    .conversation.findUnique({ where: { id: conversationId }, select: { subject: true } })
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
