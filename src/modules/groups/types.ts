import { builder } from '../../builder.js'
import { viewerOf } from '../../context.js'
import { can } from '../../auth/permissions.js'

export const GroupRef = builder.prismaNode('Group', {
  description: 'A team of users, e.g. the operators who answer SUPPORT conversations',
  id: { field: 'id' },
  nullable: true,
  // Admins, services and operators see every group; others only the groups they belong to.
  findUnique: (id, ctx) => (can(viewerOf(ctx), 'group:read') ? { id } : { id, members: { some: { userId: viewerOf(ctx).userId } } }),
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    // Seen through a conversation, a group's name is visible to its participants; who is in it only to
    // those who may read groups or belong to it.
    members: t.relation('members', {
      // Who is in a group is shown by the viewer's own membership when they may not read groups.
      extensions: { viewerDependent: true },
      query: (_args, ctx) => ({
        where: can(viewerOf(ctx), 'group:read') ? {} : { group: { members: { some: { userId: viewerOf(ctx).userId } } } },
        orderBy: [{ createdAt: 'asc' }, { userId: 'asc' }],
      }),
    }),
  }),
})

builder.prismaObject('GroupMember', {
  description: 'A user in a group',
  fields: (t) => ({
    user: t.relation('user'),
    addedAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
})
