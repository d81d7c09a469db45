import { builder } from '../../builder.js'
import { createWebhookEndpoint, redeliverWebhook, setWebhookEndpointEnabled } from './service.js'
import { WebhookDeliveryRef, WebhookEndpointRef } from './types.js'

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.string({ required: true }),
    eventTypes: t.stringList({
      required: true,
      description: 'message.created, conversation.created, conversation.assigned, conversation.closed, notification.created',
    }),
  }),
})
const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({ endpointId: t.globalID({ required: true, for: WebhookEndpointRef }), enabled: t.boolean({ required: true }) }),
})
const RedeliverWebhookInput = builder.inputType('RedeliverWebhookInput', {
  fields: (t) => ({ deliveryId: t.globalID({ required: true, for: WebhookDeliveryRef }) }),
})

type EndpointRow = Awaited<ReturnType<typeof createWebhookEndpoint>>['endpoint']
type DeliveryRow = Awaited<ReturnType<typeof redeliverWebhook>>

const CreateWebhookEndpointPayload = builder
  .objectRef<{ endpoint: EndpointRow; secret: string }>('CreateWebhookEndpointPayload')
  .implement({
    fields: (t) => ({
      endpoint: t.field({ type: WebhookEndpointRef, nullable: false, resolve: (p) => p.endpoint }),
      secret: t.exposeString('secret', { description: 'whsec_…: verifies the signatures; shown only here, once' }),
    }),
  })
const UpdateWebhookEndpointPayload = builder.objectRef<{ endpoint: EndpointRow }>('UpdateWebhookEndpointPayload').implement({
  fields: (t) => ({ endpoint: t.field({ type: WebhookEndpointRef, nullable: false, resolve: (p) => p.endpoint }) }),
})
const RedeliverWebhookPayload = builder.objectRef<{ delivery: DeliveryRow }>('RedeliverWebhookPayload').implement({
  fields: (t) => ({ delivery: t.field({ type: WebhookDeliveryRef, nullable: false, resolve: (p) => p.delivery }) }),
})

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: CreateWebhookEndpointPayload,
    description: 'Registers a webhook endpoint (admins). The URL must resolve to a public address unless WEBHOOK_ALLOW_PRIVATE=true',
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: (_root, { input }, ctx) => createWebhookEndpoint(ctx, input),
  }),
  updateWebhookEndpoint: t.field({
    type: UpdateWebhookEndpointPayload,
    description: 'Enables or disables an endpoint (admins); enabling resets its dead-letter count',
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      endpoint: await setWebhookEndpointEnabled(ctx, { endpointId: input.endpointId.id, enabled: input.enabled }),
    }),
  }),
  redeliverWebhook: t.field({
    type: RedeliverWebhookPayload,
    description: 'Sends a dead-lettered delivery again, with the same webhook-id (admins)',
    args: { input: t.arg({ type: RedeliverWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ delivery: await redeliverWebhook(ctx, { deliveryId: input.deliveryId.id }) }),
  }),
}))
