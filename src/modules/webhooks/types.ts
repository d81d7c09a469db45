import { builder } from '../../builder.js'
import { viewerOf } from '../../context.js'
import { can } from '../../auth/permissions.js'
import type { Prisma } from '../../generated/prisma/client.js'

// Admins only: for anyone else a well-formed id names nothing (an impossible filter).
const adminOnly = (ctx: Parameters<typeof viewerOf>[0]) =>
  can(viewerOf(ctx), 'webhook:manage') ? {} : { AND: [{ createdAt: { lt: new Date(0) } }, { createdAt: { gt: new Date(0) } }] }

export const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'PENDING: being retried; SUCCEEDED: a 2xx answer; DEAD_LETTERED: every attempt failed',
  values: ['PENDING', 'SUCCEEDED', 'DEAD_LETTERED'] as const,
})

export const WebhookDeliveryRef = builder.prismaNode('WebhookDelivery', {
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...adminOnly(ctx) }) as Prisma.WebhookDeliveryWhereUniqueInput,
  description: 'One event sent to one endpoint: the delivery log entry',
  fields: (t) => ({
    webhookId: t.exposeString('webhookId', { description: 'The webhook-id header: the same on every attempt and redelivery' }),
    eventType: t.exposeString('eventType'),
    status: t.expose('status', { type: WebhookDeliveryStatusEnum }),
    attempts: t.exposeInt('attempts'),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true, description: "The last attempt's HTTP status (null: no answer)" }),
    lastError: t.exposeString('lastError', { nullable: true }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
    deadLetteredAt: t.expose('deadLetteredAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    payload: t.field({
      type: 'JSON',
      description: 'The JSON body sent: { type, timestamp, data }',
      select: { payload: true },
      resolve: (d) => JSON.parse(d.payload) as unknown,
    }),
    endpoint: t.relation('endpoint'),
  }),
})

export const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  description: "A URL of the host platform that receives the tenant's events, signed per Standard Webhooks",
  id: { field: 'id' },
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...adminOnly(ctx) }) as Prisma.WebhookEndpointWhereUniqueInput,
  fields: (t) => ({
    url: t.exposeString('url'),
    eventTypes: t.exposeStringList('eventTypes'),
    enabled: t.exposeBoolean('enabled'),
    disabledAt: t.expose('disabledAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set when an admin or repeated dead letters disabled it',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.relatedConnection('deliveries', {
      cursor: 'id',
      defaultSize: 20,
      maxSize: 100,
      description: 'The delivery log, newest first',
      args: { status: t.arg({ type: WebhookDeliveryStatusEnum }) },
      query: (args) => ({ where: args.status ? { status: args.status } : {}, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    }),
  }),
})
