// Builders of the outbox events the domain emits: called inside the transaction of the change, with
// the rows at hand, so the payload is what committed. Ids are global ids, as the GraphQL API shows them.
import { Prisma } from '../../generated/prisma/client.js'
import { encodeGlobalId } from '../../global-id.js'
import type { Viewer } from '../../auth/viewer.js'
import { outboxEvent, type UserRef } from '../../outbox/events.js'

const userRef = (id: string, externalId: string): UserRef => ({ id: encodeGlobalId('User', id), externalId })

export function messageCreatedEvent(
  viewer: Viewer,
  conversation: { id: string; kind: string },
  message: { id: string; seq: number; body: string; clientMessageId: string; createdAt: Date; internal?: boolean },
) {
  return outboxEvent(
    viewer.tenantId,
    'message.created',
    {
      conversation: { id: encodeGlobalId('Conversation', conversation.id), kind: conversation.kind },
      message: {
        id: encodeGlobalId('Message', message.id),
        seq: message.seq,
        body: message.body,
        clientMessageId: message.clientMessageId,
        createdAt: message.createdAt.toISOString(),
        internal: message.internal ?? false,
        sender: userRef(viewer.userId, viewer.externalId),
      },
    },
    // For the unread-message notification rule (src/modules/notifications/rules.ts).
    { conversationId: conversation.id, messageId: message.id, seq: message.seq, senderId: viewer.userId },
  )
}

export function conversationCreatedEvent(
  viewer: Viewer,
  conversation: { id: string; kind: string; subject: string | null; contextType: string | null; contextId: string | null; createdAt: Date },
  participants: ReadonlyArray<{ id: string; externalId: string }>,
) {
  return outboxEvent(viewer.tenantId, 'conversation.created', {
    conversation: {
      id: encodeGlobalId('Conversation', conversation.id),
      kind: conversation.kind,
      subject: conversation.subject,
      contextType: conversation.contextType,
      contextId: conversation.contextId,
      createdAt: conversation.createdAt.toISOString(),
      createdBy: userRef(viewer.userId, viewer.externalId),
      participants: participants.map((p) => userRef(p.id, p.externalId)),
    },
  })
}

export function notificationCreatedEvent(
  tenantId: string,
  notification: { id: string; type: string; title: string; body: string | null; data: unknown; createdAt: Date },
  recipient: { id: string; externalId: string },
) {
  return outboxEvent(tenantId, 'notification.created', {
    notification: {
      id: encodeGlobalId('Notification', notification.id),
      type: notification.type,
      title: notification.title,
      body: notification.body,
      data: notification.data ?? null,
      createdAt: notification.createdAt.toISOString(),
    },
    recipient: userRef(recipient.id, recipient.externalId),
  })
}

export function conversationAssignedEvent(
  viewer: Viewer,
  conversation: { id: string; kind: string },
  assignee: { id: string; externalId: string } | null,
) {
  return outboxEvent(viewer.tenantId, 'conversation.assigned', {
    conversation: { id: encodeGlobalId('Conversation', conversation.id), kind: conversation.kind },
    assignee: assignee && userRef(assignee.id, assignee.externalId),
    assignedBy: userRef(viewer.userId, viewer.externalId),
  })
}

export function conversationClosedEvent(viewer: Viewer, conversation: { id: string; kind: string }) {
  return outboxEvent(viewer.tenantId, 'conversation.closed', {
    conversation: { id: encodeGlobalId('Conversation', conversation.id), kind: conversation.kind },
    closedBy: userRef(viewer.userId, viewer.externalId),
  })
}

const isoSql = (ts: Prisma.Sql) => Prisma.sql`to_char(${ts}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * message.created as an SQL json expression, for a send written as one SQL statement: the same event
 * as messageCreatedEvent, with what is only known inside the statement (the seq, the row's createdAt,
 * a UTC timestamp(3)) given as SQL expressions. Use it with Outbox.enqueueSql, e.g.
 *   WITH m AS (INSERT INTO "Message" ... RETURNING seq, "createdAt")
 *   SELECT ..., ${outbox.enqueueSql(messageCreatedEventSql(viewer, conversation, message, { seq: Prisma.sql`m.seq`, createdAt: Prisma.sql`m."createdAt"` }))} FROM m
 */
export function messageCreatedEventSql(
  viewer: Viewer,
  conversation: { id: string; kind: string | Prisma.Sql },
  message: { id: string; body: string; clientMessageId: string },
  inStatement: { seq: Prisma.Sql; createdAt: Prisma.Sql },
): Prisma.Sql {
  const sender = userRef(viewer.userId, viewer.externalId)
  return Prisma.sql`json_build_object(
    'id', gen_random_uuid(),
    'tenantId', ${viewer.tenantId}::text,
    'type', 'message.created',
    'occurredAt', ${isoSql(Prisma.sql`(now() at time zone 'UTC')`)},
    'data', json_build_object(
      'conversation', json_build_object('id', ${encodeGlobalId('Conversation', conversation.id)}::text, 'kind', ${conversation.kind}::text),
      'message', json_build_object(
        'internal', false,
        'id', ${encodeGlobalId('Message', message.id)}::text,
        'seq', ${inStatement.seq},
        'body', ${message.body}::text,
        'clientMessageId', ${message.clientMessageId}::text,
        'createdAt', ${isoSql(inStatement.createdAt)},
        'sender', json_build_object('id', ${sender.id}::text, 'externalId', ${sender.externalId}::text)
      )
    ),
    'hints', json_build_object('conversationId', ${conversation.id}::text, 'messageId', ${message.id}::text, 'seq', ${inStatement.seq}, 'senderId', ${viewer.userId}::text)
  )`
}
