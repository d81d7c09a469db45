// Prometheus metrics (GET /metrics). Request metrics come from @graphql-yoga/plugin-prometheus; the
// message-flow and delivery metrics below are updated by the services that do the work.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'switchboard_' })
  return {
    registry,
    messagesSent: new Counter({ name: 'switchboard_messages_sent_total', help: 'Messages committed (new, not idempotent replays)', labelNames: ['kind'] as const, registers: [registry] }),
    sendReplays: new Counter({ name: 'switchboard_message_send_replays_total', help: 'Sends answered with the original message (same clientMessageId)', registers: [registry] }),
    sendRejected: new Counter({ name: 'switchboard_message_send_rejected_total', help: 'Sends refused, by error code', labelNames: ['code'] as const, registers: [registry] }),
    eventsDelivered: new Counter({ name: 'switchboard_events_delivered_total', help: 'Timeline events delivered to subscribers, by source', labelNames: ['source'] as const, registers: [registry] }),
    gapsFilled: new Counter({ name: 'switchboard_delivery_gaps_filled_total', help: 'Live deliveries that found a gap and filled it from the database', registers: [registry] }),
    publishFailures: new Counter({ name: 'switchboard_publish_failures_total', help: 'Pub/sub publishes that failed (subscribers catch up from the database)', registers: [registry] }),
    activeSubscriptions: new Gauge({ name: 'switchboard_active_subscriptions', help: 'Open GraphQL subscriptions, by field', labelNames: ['field'] as const, registers: [registry] }),
    fanoutExecutions: new Counter({
      name: 'switchboard_fanout_executions_total',
      help: 'Subscription selections executed for live events (once per event and group of identical subscribers)',
      registers: [registry],
    }),
    slowConsumersClosed: new Counter({ name: 'switchboard_slow_consumers_closed_total', help: 'WebSockets closed (1013) because their send buffer stayed over the limit', registers: [registry] }),
    websocketConnections: new Gauge({ name: 'switchboard_websocket_connections', help: 'Open graphql-ws sockets', registers: [registry] }),
    dbQueries: new Counter({ name: 'switchboard_db_queries_total', help: 'SQL statements sent to PostgreSQL', registers: [registry] }),
    dbQueryDuration: new Histogram({
      name: 'switchboard_db_query_duration_seconds',
      help: 'SQL statement duration as measured by Prisma',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    }),
    sendDuration: new Histogram({
      name: 'switchboard_message_send_duration_seconds',
      help: 'Time to commit a send (authorize + persist)',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    // Notifications and webhooks (the outbox depth gauges are registered by src/outbox/metrics.ts)
    webhookAttempts: new Counter({ name: 'switchboard_webhook_attempts_total', help: 'Webhook HTTP attempts, by result', labelNames: ['result'] as const, registers: [registry] }),
    webhookDeliveries: new Counter({ name: 'switchboard_webhook_deliveries_total', help: 'Webhook delivery outcomes (succeeded, retry_scheduled, dead_lettered)', labelNames: ['result'] as const, registers: [registry] }),
    webhookDeadLetters: new Counter({ name: 'switchboard_webhook_dead_letters_total', help: 'Webhook deliveries dead-lettered after WEBHOOK_MAX_ATTEMPTS', registers: [registry] }),
    notificationsCreated: new Counter({ name: 'switchboard_notifications_created_total', help: 'Notification rows created, by source (publish, rule)', labelNames: ['source'] as const, registers: [registry] }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
