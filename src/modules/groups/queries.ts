import { builder } from '../../builder.js'
import { db } from '../../context.js'
import { GroupRef } from './types.js'

builder.queryField('groups', (t) =>
  t.prismaField({
    type: [GroupRef],
    description: "The tenant's groups (admin, service, operator)",
    authScopes: { permission: 'group:read' },
    resolve: (query, _root, _args, ctx) => db(ctx).group.findMany({ ...query, orderBy: { name: 'asc' } }),
  }),
)
