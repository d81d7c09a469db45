import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { conversationsWithUnread } from '../../db/statements.js'
import { conversationWhere } from '../../auth/visibility.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { decodeGlobalId, idOf } from '../../global-id.js'
import { connectionCursor, conversationCursor } from '../../cursors.js'
import { ConversationKindEnum, ConversationRef, ConversationStatusEnum } from './types.js'

const ConversationFilter = builder.inputType('ConversationFilter', {
  description: 'Narrows the conversation list; every given field must match',
  fields: (t) => ({
    kind: t.field({ type: ConversationKindEnum }),
    status: t.field({ type: ConversationStatusEnum }),
    unreadOnly: t.boolean({ description: 'Only conversations with unread messages for the viewer' }),
    contextType: t.string(),
    contextId: t.string(),
    assignee: t.field({ type: AssigneeFilterEnum, description: 'SUPPORT: assigned to the viewer (ME), to nobody (UNASSIGNED), or ANY' }),
    groupId: t.id({ description: 'Conversations this group takes part in' }),
  }),
})

const AssigneeFilterEnum = builder.enumType('AssigneeFilter', {
  description: 'Whose SUPPORT conversations to list',
  values: ['ME', 'UNASSIGNED', 'ANY'] as const,
})
const ConversationOrderEnum = builder.enumType('ConversationOrder', {
  description: 'Order of the conversation list',
  values: {
    LAST_ACTIVITY: { description: 'Most recent activity first (the default)' },
    WAITING_SINCE: { description: 'SUPPORT queue: longest-waiting end user first; answered conversations last' },
  } as const,
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
      return db(ctx).conversation.findFirst({ ...query, where: { id, ...conversationWhere(viewerOf(ctx)) } })
    },
  }),
  conversations: t.prismaConnection({
    type: ConversationRef,
    cursor: 'id',
    defaultSize: 20,
    maxSize: 100,
    description: 'Conversations the viewer sees, most recent activity first',
    args: { filter: t.arg({ type: ConversationFilter }), orderBy: t.arg({ type: ConversationOrderEnum }) },
    resolve: async (query, _root, args, ctx) => {
      const { filter, orderBy } = args
      const viewer = viewerOf(ctx)
      // Prisma positions the page by reading the cursor's row without the tenant filter: a cursor of a
      // row the viewer cannot see answers as one of a row that does not exist (an empty page).
      const cursorId = connectionCursor(args, conversationCursor)
      if (
        cursorId &&
        !(await db(ctx).conversation.findFirst({ where: { id: cursorId, ...conversationWhere(viewer) }, select: { id: true } }))
      )
        return []
      const where: Prisma.ConversationWhereInput = {
        ...conversationWhere(viewer),
        ...(filter?.kind && { kind: filter.kind }),
        ...(filter?.status && { status: filter.status }),
        ...(filter?.contextType && { contextType: filter.contextType }),
        ...(filter?.contextId && { contextId: filter.contextId }),
        ...(filter?.assignee === 'ME' && { assigneeId: viewer.userId }),
        ...(filter?.assignee === 'UNASSIGNED' && { assigneeId: null }),
        ...(filter?.groupId && { groups: { some: { groupId: idOf('Group', filter.groupId, 'groupId') } } }),
      }
      if (filter?.unreadOnly)
        where.id = {
          in: await conversationsWithUnread(ctx.app.prisma, viewer.tenantId, viewer),
        }
      const order: Prisma.ConversationOrderByWithRelationInput[] =
        orderBy === 'WAITING_SINCE'
          ? [{ waitingSince: { sort: 'asc', nulls: 'last' } }, { id: 'desc' }]
          : [{ lastActivityAt: 'desc' }, { id: 'desc' }]
      return db(ctx).conversation.findMany({ ...query, where, orderBy: order })
    },
  }),
}))
