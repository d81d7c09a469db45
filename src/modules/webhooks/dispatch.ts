// Webhook dispatch, run by the outbox worker. fanOutWebhooks turns one outbox event into one delivery
// row per subscribed endpoint and one `webhook_deliver` job each (same transaction; a re-run of the
// fan-out inserts nothing new). deliverWebhook makes one attempt and then records the outcome and
// schedules the next attempt in one transaction, guarded by the attempt number, so a duplicate job
// run never sends twice.
//
// Retries are scheduled by us (add_job with run_at and a job_key) rather than by graphile-worker's
// own retry, because its backoff is fixed (exp(min(attempts, 10)) seconds) and cannot start at
// WEBHOOK_RETRY_BASE_MS; the job itself always succeeds once the outcome is recorded.
import { Prisma } from '../../generated/prisma/client.js'
import type { AppServices } from '../../context.js'
import type { EventType, OutboxEvent } from '../../outbox/events.js'
import { TENANT_FROM_SCOPE } from '../../db/tenant-scope.js'
import { sendWebhook } from './send.js'

export const WEBHOOK_DELIVER_TASK = 'webhook_deliver'

export interface DeliverJob {
  tenantId: string
  deliveryId: string
  /** The attempt this job makes (1-based): a stale or duplicate job finds the row elsewhere and stops. */
  attempt: number
}

/** The webhook-id receivers dedupe on: one per event, the same on every attempt and redelivery. */
export const webhookIdOf = (eventId: string) => `msg_${eventId.replace(/-/g, '')}`

/** Delay before attempt `attempt + 1`: base · 2^(attempt-1), plus up to 25 % jitter, at most a day. */
export function retryDelayMs(baseMs: number, attempt: number, random = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** (attempt - 1), 86_400_000)
  return Math.round(exponential * (1 + random() * 0.25))
}

/** The endpoints an event goes to: the tenant's enabled endpoints that subscribe to its type. */
const subscribedTo = (type: EventType) => ({ enabled: true, eventTypes: { has: type } })

/**
 * The same rule as an SQL condition, for a write that enqueues the fan-out only when an endpoint will
 * receive it (src/modules/messages/outbox.ts). The tenant is named, as every raw statement does.
 */
export function hasSubscribedEndpointSql(tenantId: string, type: EventType): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM "WebhookEndpoint" e WHERE e."tenantId" = ${tenantId}::uuid AND e.enabled AND ${type}::text = ANY (e."eventTypes"))`
}

export async function fanOutWebhooks(app: AppServices, event: OutboxEvent): Promise<void> {
  const db = app.tenantDbs.for(event.tenantId)
  const endpoints = await db.webhookEndpoint.findMany({ where: subscribedTo(event.type), select: { id: true } })
  if (!endpoints.length) return
  const body = JSON.stringify({ type: event.type, timestamp: event.occurredAt, data: event.data })
  const webhookId = webhookIdOf(event.id)
  await db.$transaction(async (tx) => {
    const created = await tx.webhookDelivery.createManyAndReturn({
      data: endpoints.map((e) => ({
        tenantId: TENANT_FROM_SCOPE,
        endpointId: e.id,
        eventId: event.id,
        webhookId,
        eventType: event.type,
        payload: body,
        nextAttemptAt: new Date(),
      })),
      skipDuplicates: true,
      select: { id: true },
    })
    for (const d of created)
      await app.outbox.addJob(tx, WEBHOOK_DELIVER_TASK, { tenantId: event.tenantId, deliveryId: d.id, attempt: 1 } satisfies DeliverJob, {
        jobKey: `webhook:${d.id}`,
        maxAttempts: 5,
      })
  })
}

export async function deliverWebhook(app: AppServices, job: DeliverJob): Promise<void> {
  const { config, metrics } = app
  const db = app.tenantDbs.for(job.tenantId)
  const delivery = await db.webhookDelivery.findUnique({ where: { id: job.deliveryId }, include: { endpoint: true } })
  if (!delivery || delivery.status !== 'PENDING' || delivery.attempts !== job.attempt - 1) return
  const { endpoint } = delivery
  const outcome = endpoint.enabled
    ? await sendWebhook({
        url: endpoint.url,
        secret: endpoint.secret,
        webhookId: delivery.webhookId,
        body: delivery.payload,
        timeoutMs: config.webhooks.timeoutMs,
        allowPrivate: config.webhooks.allowPrivate,
      })
    : ({ ok: false, statusCode: null, error: 'endpoint disabled', result: 'blocked' } as const)
  metrics.webhookAttempts.inc({ result: outcome.result })
  const now = new Date()
  const guard = { id: delivery.id, status: 'PENDING' as const, attempts: job.attempt - 1 }
  const recorded = { attempts: job.attempt, lastStatusCode: outcome.statusCode, lastError: outcome.error }

  if (outcome.ok) {
    await db.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({
        where: guard,
        data: { ...recorded, status: 'SUCCEEDED', deliveredAt: now, nextAttemptAt: null, deadLetteredAt: null },
      })
      if (count)
        await tx.webhookEndpoint.updateMany({
          where: { id: endpoint.id, consecutiveDeadLetters: { gt: 0 } },
          data: { consecutiveDeadLetters: 0 },
        })
    })
    metrics.webhookDeliveries.inc({ result: 'succeeded' })
    return
  }
  if (job.attempt >= config.webhooks.maxAttempts || !endpoint.enabled) {
    await db.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({
        where: guard,
        data: { ...recorded, status: 'DEAD_LETTERED', deadLetteredAt: now, nextAttemptAt: null },
      })
      if (!count || !endpoint.enabled) return
      const updated = await tx.webhookEndpoint.update({
        where: { id: endpoint.id },
        data: { consecutiveDeadLetters: { increment: 1 } },
        select: { consecutiveDeadLetters: true },
      })
      // Repeated dead letters: the endpoint is disabled until an admin enables it again.
      if (updated.consecutiveDeadLetters >= config.webhooks.disableAfterDeadLetters)
        await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: false, disabledAt: now } })
    })
    metrics.webhookDeliveries.inc({ result: 'dead_lettered' })
    metrics.webhookDeadLetters.inc()
    app.log.warn({ deliveryId: delivery.id, endpointId: endpoint.id, attempts: job.attempt, error: outcome.error }, 'webhook dead-lettered')
    return
  }
  const nextAttemptAt = new Date(now.getTime() + retryDelayMs(config.webhooks.retryBaseMs, job.attempt))
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhookDelivery.updateMany({ where: guard, data: { ...recorded, nextAttemptAt } })
    if (count)
      await app.outbox.addJob(
        tx,
        WEBHOOK_DELIVER_TASK,
        { tenantId: job.tenantId, deliveryId: delivery.id, attempt: job.attempt + 1 } satisfies DeliverJob,
        {
          runAt: nextAttemptAt,
          jobKey: `webhook:${delivery.id}`,
          maxAttempts: 5,
        },
      )
  })
  metrics.webhookDeliveries.inc({ result: 'retry_scheduled' })
}
