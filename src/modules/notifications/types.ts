import { builder } from '../../builder.js'
import { viewerOf } from '../../context.js'
import { encodeGlobalId } from '../../global-id.js'
import type { Prisma } from '../../generated/prisma/client.js'

export const NotificationRef = builder.prismaNode('Notification', {
  description: 'Something one user should know about: created by a rule (a message, an assignment) or published by the host platform',
  id: { field: 'id' },
  nullable: true,
  // Only its recipient sees a notification.
  findUnique: (id, ctx) => ({ id, recipientId: viewerOf(ctx).userId }) as Prisma.NotificationWhereUniqueInput,
  fields: (t) => ({
    type: t.exposeString('type'),
    title: t.exposeString('title'),
    body: t.exposeString('body', { nullable: true }),
    data: t.field({ type: 'JSON', nullable: true, select: { data: true }, resolve: (n) => n.data }),
    entityId: t.field({
      type: 'ID',
      nullable: true,
      description: 'The global id of what it is about (e.g. a Conversation), when it is about one',
      select: { entityType: true, entityId: true },
      resolve: (n) => (n.entityType && n.entityId ? encodeGlobalId(n.entityType, n.entityId) : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
  }),
})

export const NotificationPreferencesRef = builder
  .objectRef<{ mutedTypes: string[]; mutedConversationIds: string[] }>('NotificationPreferences')
  .implement({
    description: 'What the viewer does not want to be notified about',
    fields: (t) => ({
      mutedTypes: t.exposeStringList('mutedTypes'),
      mutedConversationIds: t.field({
        type: ['ID'],
        resolve: (p) => p.mutedConversationIds.map((id) => encodeGlobalId('Conversation', id)),
      }),
    }),
  })
