// What a new message leaves in the outbox, as one SQL expression run by the statement that writes the
// message (its transaction: enqueued if and only if the message commits).
//
// message.created has two consumers: webhook endpoints that subscribe to it, and the unread-message
// notification rule. The `outbox_event` fan-out job serves both, but when no endpoint of the tenant
// subscribes it would only look the endpoints up, find none, and add the rule's job. So the statement
// asks the question itself — is an enabled endpoint subscribed, as of this statement — and either
// enqueues the event for the fan-out (which schedules the rule too) or schedules the rule's job
// directly: the same job, one per conversation, not added again while it waits. The answer comes from
// the database in the send's own statement, so there is no cache to invalidate: a send that starts
// after an endpoint was created or enabled (on any node) enqueues the fan-out.
import { Prisma } from '../../generated/prisma/client.js'
import type { AppServices } from '../../context.js'
import type { OutboxEvent } from '../../outbox/events.js'
import { hasSubscribedEndpointSql } from '../webhooks/dispatch.js'
import { unreadMessageJobSql } from '../notifications/rules.js'

export function messageCreatedOutboxSql(
  app: Pick<AppServices, 'outbox' | 'config'>,
  /** The event (messageCreatedEvent), or its json as an expression of the statement (messageCreatedEventSql). */
  event: OutboxEvent<'message.created'> | Prisma.Sql,
  message: { tenantId: string; conversationId: string; messageId: string; senderId: string; seq: number | Prisma.Sql },
): Prisma.Sql {
  return Prisma.sql`CASE WHEN ${hasSubscribedEndpointSql(message.tenantId, 'message.created')}
    THEN (${app.outbox.enqueueSql(event)}).id
    ELSE ${unreadMessageJobSql(app, message)} END`
}
