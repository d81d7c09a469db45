// The SchemaBuilder: plugins, scalars' TypeScript shapes, context and auth scopes. Defines no types.
import SchemaBuilder from '@pothos/core'
import ScopeAuthPlugin from '@pothos/plugin-scope-auth'
import PrismaPlugin from '@pothos/plugin-prisma'
import RelayPlugin from '@pothos/plugin-relay'
import type PrismaTypes from './generated/pothos-types.js'
import { getDatamodel } from './generated/pothos-types.js'
import type { PrismaClient } from './generated/prisma/client.js'
import { type Context, db } from './context.js'
import { can, type TenantPermission } from './auth/permissions.js'
import { decodeGlobalId } from './global-id.js'
import { AppError, forbidden } from './errors.js'

const NODE_TYPES = new Set(['User', 'Group', 'Conversation', 'Message', 'Notification', 'WebhookEndpoint', 'WebhookDelivery'])

export const builder = new SchemaBuilder<{
  Context: Context
  PrismaTypes: PrismaTypes
  DefaultFieldNullability: false
  AuthScopes: { authenticated: boolean; permission: TenantPermission }
  Scalars: {
    DateTime: { Input: Date; Output: Date }
    ID: { Input: string; Output: string }
    /** Notifications and webhooks: arbitrary JSON (src/modules/common/json.ts). */
    JSON: { Input: unknown; Output: unknown }
  }
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.viewer !== null,
      permission: (permission) => ctx.viewer !== null && can(ctx.viewer, permission),
    }),
    unauthorizedError: (_parent, _ctx, _info, result) =>
      forbidden(result.message.startsWith('Not authorized') ? undefined : result.message),
    // A check that throws an expected error (e.g. NOT_FOUND) surfaces as that error.
    treatErrorsAsUnauthorized: false,
  },
  prisma: {
    // Every query plugin-prisma makes goes through the viewer's tenant-bound client.
    client: (ctx) => db(ctx) as unknown as PrismaClient,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    nodeTypeOptions: { description: 'An object with a global id, loadable with node(id)' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits' },
    cursorType: 'String',
    nodesQueryOptions: false,
    // A well-formed id of a type that is not a Node (e.g. a Tenant id) is as missing as any other.
    nodeQueryOptions: { resolve: (_root, { id }, _ctx, _info, resolveNode) => (NODE_TYPES.has(id.typename) ? resolveNode(id) : null) },
    decodeGlobalID: (globalId) => decodeGlobalId(globalId, 'id'),
  },
})

export { AppError }
