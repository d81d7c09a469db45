// Webhook endpoints and the delivery log, for tenant admins (`webhook:manage`): register (the secret is
// shown once), enable/disable, redeliver a dead-lettered delivery.
import { randomBytes } from 'node:crypto'
import { type Context, db, viewerOf } from '../../context.js'
import { can } from '../../auth/permissions.js'
import { badInput, forbidden, notFound } from '../../errors.js'
import { TENANT_FROM_SCOPE } from '../../db/tenant-scope.js'
import { EVENT_TYPES, type EventType } from '../../outbox/events.js'
import { urlProblem } from './ssrf.js'
import { WEBHOOK_DELIVER_TASK, type DeliverJob } from './dispatch.js'

const MAX_ENDPOINTS = 20

function requireManage(ctx: Context) {
  if (!can(viewerOf(ctx), 'webhook:manage')) throw forbidden('Only tenant admins manage webhooks')
}

export async function createWebhookEndpoint(ctx: Context, input: { url: string; eventTypes: readonly string[] }) {
  requireManage(ctx)
  const url = input.url.trim()
  const problem = await urlProblem(url, ctx.app.config.webhooks.allowPrivate)
  if (problem) throw badInput(problem, 'url')
  const eventTypes = [...new Set(input.eventTypes)]
  if (!eventTypes.length) throw badInput('Name at least one event type', 'eventTypes')
  const unknown = eventTypes.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t))
  if (unknown.length)
    throw badInput(`Unknown event type(s): ${unknown.slice(0, 5).join(', ')} (known: ${EVENT_TYPES.join(', ')})`, 'eventTypes')
  if ((await db(ctx).webhookEndpoint.count()) >= MAX_ENDPOINTS) throw badInput(`At most ${MAX_ENDPOINTS} endpoints per tenant`, 'url')
  const secret = `whsec_${randomBytes(32).toString('base64')}`
  const endpoint = await db(ctx).webhookEndpoint.create({
    data: { tenantId: TENANT_FROM_SCOPE, url, eventTypes: eventTypes as EventType[], secret },
  })
  return { endpoint, secret }
}

export async function setWebhookEndpointEnabled(ctx: Context, input: { endpointId: string; enabled: boolean }) {
  requireManage(ctx)
  const { count } = await db(ctx).webhookEndpoint.updateMany({
    where: { id: input.endpointId },
    data: input.enabled ? { enabled: true, disabledAt: null, consecutiveDeadLetters: 0 } : { enabled: false, disabledAt: new Date() },
  })
  if (!count) throw notFound('Webhook endpoint')
  return db(ctx).webhookEndpoint.findUniqueOrThrow({ where: { id: input.endpointId } })
}

/** Sends a dead-lettered delivery again, with the same webhook-id and body and a fresh attempt budget. */
export async function redeliverWebhook(ctx: Context, input: { deliveryId: string }) {
  requireManage(ctx)
  const tenantId = viewerOf(ctx).tenantId
  return db(ctx).$transaction(async (tx) => {
    const delivery = await tx.webhookDelivery.findUnique({
      where: { id: input.deliveryId },
      include: { endpoint: { select: { enabled: true } } },
    })
    if (!delivery) throw notFound('Webhook delivery')
    if (delivery.status !== 'DEAD_LETTERED') throw badInput('Only a dead-lettered delivery can be redelivered', 'deliveryId')
    if (!delivery.endpoint.enabled) throw badInput('The endpoint is disabled: enable it first', 'deliveryId')
    const { count } = await tx.webhookDelivery.updateMany({
      where: { id: delivery.id, status: 'DEAD_LETTERED' },
      data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date(), deadLetteredAt: null },
    })
    if (!count) throw badInput('Only a dead-lettered delivery can be redelivered', 'deliveryId')
    await ctx.app.outbox.addJob(tx, WEBHOOK_DELIVER_TASK, { tenantId, deliveryId: delivery.id, attempt: 1 } satisfies DeliverJob, {
      jobKey: `webhook:${delivery.id}`,
      maxAttempts: 5,
    })
    return tx.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })
  })
}
