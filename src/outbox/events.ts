// The outbox's event catalog: every domain event that leaves the process (webhooks, rule-produced
// notifications) has a type here and a JSON payload that names things by their global ids, as the
// GraphQL API shows them. Payloads are built in the transaction that caused the event and are final:
// a receiver gets what was true at commit.
import { randomUUID } from 'node:crypto'

export const EVENT_TYPES = [
  'message.created',
  'conversation.created',
  'conversation.assigned',
  'conversation.closed',
  'notification.created',
] as const
export type EventType = (typeof EVENT_TYPES)[number]

export interface UserRef {
  id: string
  externalId: string
}

export interface EventData {
  'message.created': {
    conversation: { id: string; kind: string }
    message: { id: string; seq: number; body: string; clientMessageId: string; createdAt: string; internal: boolean; sender: UserRef }
  }
  'conversation.created': {
    conversation: {
      id: string
      kind: string
      subject: string | null
      contextType: string | null
      contextId: string | null
      createdAt: string
      createdBy: UserRef
      participants: UserRef[]
    }
  }
  'conversation.assigned': { conversation: { id: string; kind: string }; assignee: UserRef | null; assignedBy: UserRef }
  'conversation.closed': { conversation: { id: string; kind: string }; closedBy: UserRef }
  'notification.created': {
    notification: { id: string; type: string; title: string; body: string | null; data: unknown; createdAt: string }
    recipient: UserRef
  }
}

/** One event as the outbox stores it (the `outbox_event` job's payload). */
export interface OutboxEvent<T extends EventType = EventType> {
  /** Stable for the event's whole life: the webhook-id is derived from it. */
  id: string
  tenantId: string
  type: T
  occurredAt: string
  data: EventData[T]
  /** Internal hints for rules that run on the event (never sent to webhooks). */
  hints?: Record<string, string | number | boolean | null>
}

export function outboxEvent<T extends EventType>(
  tenantId: string,
  type: T,
  data: EventData[T],
  hints?: OutboxEvent['hints'],
): OutboxEvent<T> {
  return { id: randomUUID(), tenantId, type, occurredAt: new Date().toISOString(), data, ...(hints && { hints }) }
}
