import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { conversationsWithUnread } from '../../db/unread.js'
import { can } from '../../auth/permissions.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { decodeGlobalId } from '../../global-id.js'
import { connectionCursor, conversationCursor } from '../../cursors.js'
import { visibleConversationWhere } from './access.js'
import { ConversationKindEnum, ConversationRef, ConversationStatusEnum } from './types.js'

const ConversationFilter = builder.inputType('ConversationFilter', {
  fields: (t) => ({
    kind: t.field({ type: ConversationKindEnum }),
    status: t.field({ type: ConversationStatusEnum }),
    unreadOnly: t.boolean({ description: 'Only conversations with unread messages for the viewer' }),
    contextType: t.string(),
    contextId: t.string(),
  }),
})

builder.queryFields((t) => ({
  conversation: t.prismaField({
    type: ConversationRef,
    nullable: true,
    description: 'The conversation, or null when it does not exist or the viewer may not see it',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      const { typename, id } = decodeGlobalId(args.id)
      if (typename !== 'Conversation') return null
      return db(ctx).conversation.findFirst({ ...query, where: { id, ...visibleConversationWhere(viewerOf(ctx)) } })
    },
  }),
  conversations: t.prismaConnection({
    type: ConversationRef,
    cursor: 'id',
    defaultSize: 20,
    maxSize: 100,
    description: 'Conversations the viewer sees, most recent activity first',
    args: { filter: t.arg({ type: ConversationFilter }) },
    resolve: async (query, _root, args, ctx) => {
      const { filter } = args
      const viewer = viewerOf(ctx)
      // Prisma positions the page by reading the cursor's row without the tenant filter: a cursor of a
      // row the viewer cannot see answers as one of a row that does not exist (an empty page).
      const cursorId = connectionCursor(args, conversationCursor)
      if (cursorId && !(await db(ctx).conversation.findFirst({ where: { id: cursorId, ...visibleConversationWhere(viewer) }, select: { id: true } }))) return []
      const where: Prisma.ConversationWhereInput = {
        ...visibleConversationWhere(viewer),
        ...(filter?.kind && { kind: filter.kind }),
        ...(filter?.status && { status: filter.status }),
        ...(filter?.contextType && { contextType: filter.contextType }),
        ...(filter?.contextId && { contextId: filter.contextId }),
      }
      if (filter?.unreadOnly)
        where.id = {
          in: await conversationsWithUnread(ctx.app.prisma, {
            tenantId: viewer.tenantId,
            userId: viewer.userId,
            viaGroups: viewer.role === 'OPERATOR',
            oversees: can(viewer, 'conversation:oversee'),
          }),
        }
      return db(ctx).conversation.findMany({ ...query, where, orderBy: [{ lastActivityAt: 'desc' }, { id: 'desc' }] })
    },
  }),
}))
