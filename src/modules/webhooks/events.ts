// Builders of the outbox events the domain emits: called inside the transaction of the change, with
// the rows at hand, so the payload is what committed. Ids are global ids, as the GraphQL API shows them.
import { encodeGlobalId } from '../../global-id.js'
import type { Viewer } from '../../auth/viewer.js'
import { outboxEvent, type UserRef } from '../../outbox/events.js'

const userRef = (id: string, externalId: string): UserRef => ({ id: encodeGlobalId('User', id), externalId })

export function messageCreatedEvent(
  viewer: Viewer,
  conversation: { id: string; kind: string },
  message: { id: string; seq: number; body: string; clientMessageId: string; createdAt: Date },
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

export function conversationClosedEvent(viewer: Viewer, conversation: { id: string; kind: string }) {
  return outboxEvent(viewer.tenantId, 'conversation.closed', {
    conversation: { id: encodeGlobalId('Conversation', conversation.id), kind: conversation.kind },
    closedBy: userRef(viewer.userId, viewer.externalId),
  })
}
