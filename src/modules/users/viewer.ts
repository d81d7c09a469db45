import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import type { Viewer } from '../../auth/viewer.js'
import { encodeGlobalId } from '../../global-id.js'
import { UserRef } from './types.js'

const TenantRef = builder.objectRef<{ id: string; externalId: string }>('Tenant').implement({
  description: 'A customer of the host platform; every other object belongs to exactly one tenant',
  fields: (t) => ({
    id: t.id({ resolve: (tenant) => encodeGlobalId('Tenant', tenant.id) }),
    externalId: t.exposeString('externalId', { description: "The tenant's id in the host platform (the token's tid)" }),
  }),
})

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'Who is asking: the user and tenant named by the bearer token',
  fields: (t) => ({
    user: t.prismaField({
      type: UserRef,
      resolve: (query, viewer, _args, ctx) => db(ctx).user.findUniqueOrThrow({ ...query, where: { id: viewer.userId } }),
    }),
    tenant: t.field({ type: TenantRef, resolve: (viewer) => ({ id: viewer.tenantId, externalId: viewer.tenantExternalId }) }),
    tokenExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (viewer) => (viewer.expiresAt === undefined ? null : new Date(viewer.expiresAt)),
    }),
  }),
})

builder.queryField('viewer', (t) => t.field({ type: ViewerRef, resolve: (_root, _args, ctx) => viewerOf(ctx) }))
