// Prometheus metrics (GET /metrics). Request metrics come from @graphql-yoga/plugin-prometheus; the
// message-flow and delivery metrics below are updated by the services that do the work.
import { createHash, timingSafeEqual } from 'node:crypto'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { GraphQLSchema } from 'graphql'
import type { Plugin as YogaPlugin } from 'graphql-yoga'
import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from '@graphql-yoga/plugin-prometheus'

export interface MetricsOptions {
  /** Tenants that get their own series in the per-tenant counters; later tenants are "other". */
  maxTenantLabels?: number
}

export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'switchboard_' })
  const tenants = new BoundedLabel(options.maxTenantLabels ?? 50, TENANT_ID)
  return {
    registry,
    /** The label value of a tenant (its external id) in the per-tenant counters: bounded, see BoundedLabel. */
    tenantLabel: (tenantExternalId: string) => tenants.of(tenantExternalId),
    messagesSent: new Counter({
      name: 'switchboard_messages_sent_total',
      help: 'Messages committed (new, not idempotent replays)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    sendReplays: new Counter({
      name: 'switchboard_message_send_replays_total',
      help: 'Sends answered with the original message (same clientMessageId)',
      registers: [registry],
    }),
    sendRejected: new Counter({
      name: 'switchboard_message_send_rejected_total',
      help: 'Sends refused, by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    // Counted where the serialized event is written to a WebSocket or an SSE stream (not where a stream
    // yields it), so an event for a socket that closed meanwhile is not counted.
    eventsDelivered: new Counter({
      name: 'switchboard_events_delivered_total',
      help: 'Subscription events written to a socket or SSE stream, by subscription field (source) and transport',
      labelNames: ['source', 'transport'] as const,
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'switchboard_delivery_latency_seconds',
      help: "From a timeline event's commit (its createdAt, database clock) to its write to a socket or SSE stream; live deliveries only (not replays)",
      labelNames: ['transport'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    deliveriesAcknowledged: new Counter({
      name: 'switchboard_deliveries_acknowledged_total',
      help: 'Timeline positions acknowledged by recipients (markDelivered: delivered; markRead: read), in seqs the position moved',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    tenantMessagesSent: new Counter({
      name: 'switchboard_tenant_messages_sent_total',
      help: 'Messages committed, per tenant (the first METRICS_MAX_TENANT_LABELS tenants seen; the rest are "other")',
      labelNames: ['tenant'] as const,
      registers: [registry],
    }),
    tenantDeliveriesAcknowledged: new Counter({
      name: 'switchboard_tenant_deliveries_acknowledged_total',
      help: 'Seqs by which recipients moved their delivered position (markDelivered or markRead), per tenant (bounded like switchboard_tenant_messages_sent_total)',
      labelNames: ['tenant'] as const,
      registers: [registry],
    }),
    restRequests: new Counter({
      name: 'switchboard_rest_requests_total',
      help: 'Requests to the REST fallback (/rest), by route (the root field, or "docs", or "other") and HTTP status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    restRequestDuration: new Histogram({
      name: 'switchboard_rest_request_duration_seconds',
      help: 'REST fallback request duration, by route',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'switchboard_publish_failures_total',
      help: 'Pub/sub publishes that failed (subscribers catch up from the database)',
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({
      name: 'switchboard_active_subscriptions',
      help: 'Open GraphQL subscriptions, by field',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
    fanoutExecutions: new Counter({
      name: 'switchboard_fanout_executions_total',
      help: 'Subscription selections executed for live events (once per event and group of identical subscribers)',
      registers: [registry],
    }),
    slowConsumersClosed: new Counter({
      name: 'switchboard_slow_consumers_closed_total',
      help: 'WebSockets closed (1013) because their send buffer stayed over the limit',
      registers: [registry],
    }),
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
    webhookAttempts: new Counter({
      name: 'switchboard_webhook_attempts_total',
      help: 'Webhook HTTP attempts, by result',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'switchboard_webhook_deliveries_total',
      help: 'Webhook delivery outcomes (succeeded, retry_scheduled, dead_lettered)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    webhookDeadLetters: new Counter({
      name: 'switchboard_webhook_dead_letters_total',
      help: 'Webhook deliveries dead-lettered after WEBHOOK_MAX_ATTEMPTS',
      registers: [registry],
    }),
    notificationsCreated: new Counter({
      name: 'switchboard_notifications_created_total',
      help: 'Notification rows created, by source (publish, rule)',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>

/** A subscription event was written to a socket or SSE stream: count it, and time it when it was live. */
export function countDelivery(metrics: Metrics, delivery: { source: string; committedAt?: number }, transport: 'websocket' | 'sse') {
  metrics.eventsDelivered.inc({ source: delivery.source, transport })
  // Clocks of the database and this node may differ slightly: never a negative latency.
  if (delivery.committedAt !== undefined)
    metrics.deliveryLatency.observe({ transport }, Math.max(0, Date.now() - delivery.committedAt) / 1000)
}

/**
 * Operation names are chosen by clients, so as label values they are bounded: a well-formed name of at
 * most MAX_NAME_LENGTH characters gets its own series until `max` distinct names have been seen; every
 * other name (and every name after that) is "other". /metrics therefore stays small whatever is sent.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>()
  constructor(
    private readonly max: number,
    private readonly pattern = NAME,
  ) {}

  of(name: string | null | undefined): string {
    if (!name) return 'anonymous'
    if (this.seen.has(name)) return name
    if (name.length > MAX_NAME_LENGTH || !this.pattern.test(name) || this.seen.size >= this.max) return 'other'
    this.seen.add(name)
    return name
  }
}

const MAX_NAME_LENGTH = 64
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Tenant external ids come from the host platform's tokens: plain ids get a series, anything odd is "other". */
const TENANT_ID = /^[A-Za-z0-9_][A-Za-z0-9_.:@-]*$/
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription'])
const operationType = (type: string | undefined) => (type && OPERATION_TYPES.has(type) ? type : 'unknown')

/**
 * Request metrics through @graphql-yoga/plugin-prometheus, with labels that cannot grow without bound:
 * no URL (it carries query strings: variables, tokens of EventSource clients), bounded operation names,
 * errors by phase only (no field path). Only these three metrics; /metrics is served by useMetricsEndpoint.
 */
export function useRequestMetrics(metrics: Metrics, maxOperationNames: number): YogaPlugin {
  const { registry } = metrics
  const names = new BoundedLabel(maxOperationNames)
  const labelsOf = (params: FillLabelsFnParams) => ({
    operationName: names.of(params.operationName),
    operationType: operationType(params.operationType),
  })
  const off = Object.fromEntries(
    [
      'graphql_envelop_deprecated_field',
      'graphql_envelop_request',
      'graphql_envelop_request_time_summary',
      'graphql_envelop_phase_parse',
      'graphql_envelop_phase_validate',
      'graphql_envelop_phase_context',
      'graphql_envelop_execute_resolver',
      'graphql_envelop_phase_execute',
      'graphql_envelop_phase_subscribe',
      'graphql_envelop_schema_change',
    ].map((name) => [name, false]),
  )
  return usePrometheus({
    endpoint: false,
    registry,
    metrics: {
      ...off,
      graphql_yoga_http_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_yoga_http_duration',
          help: 'Time spent on HTTP connection',
          labelNames: ['operationName', 'operationType', 'method', 'statusCode'] as const,
        },
        fillLabelsFn: (params: FillLabelsFnParams, { request, response }: { request: Request; response: Response }) => ({
          ...labelsOf(params),
          method: HTTP_METHODS.has(request.method) ? request.method : 'other',
          statusCode: response.status,
        }),
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'graphql_envelop_request_duration',
          help: 'Time spent on running the GraphQL operation from parse to execute',
          labelNames: ['operationName', 'operationType'] as const,
        },
        fillLabelsFn: labelsOf,
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_envelop_error_result',
          help: 'Errors reported, by operation and phase',
          labelNames: ['operationName', 'operationType', 'phase'] as const,
        },
        fillLabelsFn: (params: FillLabelsFnParams) => ({ ...labelsOf(params), phase: params.errorPhase ?? 'unknown' }),
      }),
    } as never,
  }) as YogaPlugin
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])

/** GET /metrics; with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>` (else 401). */
export function useMetricsEndpoint(metrics: Metrics, token: string | undefined, endpoint = '/metrics'): YogaPlugin {
  const expected = token === undefined ? undefined : createHash('sha256').update(`Bearer ${token}`).digest()
  return {
    async onRequest({ url, request, fetchAPI, endResponse }) {
      if (url.pathname !== endpoint) return
      if (expected) {
        const given = createHash('sha256')
          .update(request.headers.get('authorization') ?? '')
          .digest()
        if (!timingSafeEqual(given, expected))
          return endResponse(
            new fetchAPI.Response('Unauthorized\n', {
              status: 401,
              headers: { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' },
            }),
          )
      }
      endResponse(new fetchAPI.Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }))
    },
  }
}

/**
 * Requests to the REST fallback (SOFA under `basePath`), counted by route and status. The route label is
 * the path's first segment when it names a root field of the schema (SOFA's kebab-case route names:
 * `send-message`), "docs" for the OpenAPI description and its UI, and "other" for anything else, so
 * ids in paths and made-up URLs never become label values.
 */
export function useRestMetrics(metrics: Metrics, schema: GraphQLSchema, basePath = '/rest'): YogaPlugin {
  const routes = new Set(
    [schema.getQueryType(), schema.getMutationType()].flatMap((type) => Object.keys(type?.getFields() ?? {})).map(kebabCase),
  )
  const startedAt = new WeakMap<Request, number>()
  const routeOf = (pathname: string) => {
    const segment = pathname.slice(basePath.length + 1).split('/')[0] ?? ''
    if (segment === 'openapi.json' || segment === 'docs') return 'docs'
    return routes.has(segment) ? segment : 'other'
  }
  const isRest = (pathname: string) => pathname === basePath || pathname.startsWith(`${basePath}/`)
  return {
    onRequest({ request, url }) {
      if (isRest(url.pathname)) startedAt.set(request, performance.now())
    },
    onResponse({ request, response }) {
      const start = startedAt.get(request)
      if (start === undefined) return
      const route = routeOf(new URL(request.url).pathname)
      metrics.restRequests.inc({ route, status: String(response.status) })
      metrics.restRequestDuration.observe({ route }, (performance.now() - start) / 1000)
    },
  }
}

/** SOFA's route name of a field: sendMessage → send-message. */
const kebabCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
