import { builder } from '../../builder.js'
import { db } from '../../context.js'
import { WebhookEndpointRef } from './types.js'

builder.queryField('webhookEndpoints', (t) =>
  t.prismaField({
    type: [WebhookEndpointRef],
    description: "The tenant's webhook endpoints (admins)",
    authScopes: { permission: 'webhook:manage' },
    resolve: (query, _root, _args, ctx) => db(ctx).webhookEndpoint.findMany({ ...query, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  }),
)
