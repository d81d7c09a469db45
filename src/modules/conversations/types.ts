import { builder } from '../../builder.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { viewerOf } from '../../context.js'
import { canInConversation, type ConversationPermission } from '../../auth/permissions.js'
import { ConversationKind, ConversationStatus, ParticipantRole } from '../../generated/prisma/enums.js'
import { accessFrom, accessSelection, conversationWhere, seesInternal } from '../../auth/visibility.js'
import { unreadCount } from './unread.js'
import { canReply, settingsOf } from '../support/service.js'
import { MessageRef, messagePage } from '../messages/types.js'
import { connectionCursor, messageCursor } from '../../cursors.js'

export const ConversationKindEnum = builder.enumType(ConversationKind, {
  name: 'ConversationKind',
  description: 'DIRECT: two users, one per pair; GROUP: named members and groups; SUPPORT: an end user and the operators who serve them',
})
export const ConversationStatusEnum = builder.enumType(ConversationStatus, {
  name: 'ConversationStatus',
  description: 'Lifecycle of a conversation (SUPPORT ones move between OPEN, PENDING and CLOSED)',
})
export const ParticipantRoleEnum = builder.enumType(ParticipantRole, {
  name: 'ParticipantRole',
  description: "A participant's role within one conversation",
})

export const ConversationRef = builder.prismaNode('Conversation', {
  description: 'A timeline of messages and events between participants, in one tenant',
  id: { field: 'id' },
  nullable: true,
  // node(id) and conversation(id) load through this filter: what the viewer may not see is null.
  findUnique: (id, ctx) => ({ id, ...conversationWhere(viewerOf(ctx)) }) as Prisma.ConversationWhereUniqueInput,
  fields: (t) => {
    const viewerCan = (permission: ConversationPermission) =>
      t.boolean({
        extensions: { viewerDependent: true },
        select: (_args, ctx) => accessSelection(viewerOf(ctx)),
        resolve: (conversation, _args, ctx) => canInConversation(viewerOf(ctx), accessFrom(viewerOf(ctx), conversation), permission),
      })
    return {
      kind: t.expose('kind', { type: ConversationKindEnum }),
      subject: t.exposeString('subject', { nullable: true }),
      status: t.expose('status', { type: ConversationStatusEnum }),
      lastSeq: t.exposeInt('lastSeq', { description: 'The highest seq of the timeline (0 before the first event)' }),
      version: t.exposeInt('version', { description: 'Bumped whenever subject or status change' }),
      contextType: t.exposeString('contextType', {
        nullable: true,
        description: 'Kind of host-platform entity this conversation is about',
      }),
      contextId: t.exposeString('contextId', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
      lastActivityAt: t.expose('lastActivityAt', { type: 'DateTime' }),
      participants: t.relation('participants', {
        description: 'Active participants, in joining order',
        query: { where: { leftAt: null, role: { not: 'OBSERVER' } }, orderBy: [{ joinedAt: 'asc' }, { id: 'asc' }] },
      }),
      groups: t.relation('groups', { query: { orderBy: [{ addedAt: 'asc' }, { groupId: 'asc' }] } }),
      lastMessage: t.field({
        type: MessageRef,
        nullable: true,
        description: 'The newest message the viewer may see (end users: the newest that is not an internal note)',
        select: (_args, ctx, nestedSelection) =>
          seesInternal(viewerOf(ctx)) ? { lastMessage: nestedSelection(true) } : { lastPublicMessage: nestedSelection(true) },
        resolve: (conversation, _args, ctx) => {
          const c = conversation as { lastMessage?: unknown; lastPublicMessage?: unknown }
          return (seesInternal(viewerOf(ctx)) ? c.lastMessage : c.lastPublicMessage) as never
        },
      }),
      messages: t.relatedConnection('messages', {
        description:
          'Messages in seq order. `afterSeq` returns only messages created after that seq: the catch-up path for clients that fell behind',
        cursor: 'conversationId_seq',
        defaultSize: 50,
        maxSize: 200,
        args: { afterSeq: t.arg.int({ required: false }) },
        // A cursor of another conversation's message finds nothing here (as one that does not exist),
        // instead of positioning the page by a row read without the tenant filter.
        query: (args, ctx) => {
          const page = messagePage(viewerOf(ctx), args.afterSeq)
          const cursor = connectionCursor(args as { after?: string | null; before?: string | null }, messageCursor)
          return cursor ? { ...page, where: { ...page.where, conversationId: cursor.conversationId } } : page
        },
      }),
      unreadCount: t.int({
        extensions: { viewerDependent: true },
        description: "Messages by others after the viewer's read position, not deleted",
        resolve: (conversation, _args, ctx) => unreadCount(ctx, conversation.id),
      }),
      viewerLastReadSeq: t.int({
        extensions: { viewerDependent: true },
        select: (_args, ctx) => ({
          participants: { where: { userId: viewerOf(ctx).userId }, select: { lastReadSeq: true, role: true, leftAt: true } },
        }),
        resolve: (conversation) => conversation.participants[0]?.lastReadSeq ?? 0,
      }),
      assignee: t.relation('assignee', { nullable: true, description: 'SUPPORT: the operator answering it' }),
      waitingSince: t.expose('waitingSince', {
        type: 'DateTime',
        nullable: true,
        description: 'SUPPORT: since when the end user waits for an answer (their oldest unanswered message); null when answered',
      }),
      viewerCanReply: t.boolean({
        extensions: { viewerDependent: true },
        description: 'Whether a visible reply from the viewer would be accepted now (SUPPORT: the reply policy and the assignee)',
        select: { kind: true, assigneeId: true },
        resolve: async (conversation, _args, ctx) => canReply(viewerOf(ctx), conversation, (await settingsOf(ctx)).replyPolicy),
      }),
      viewerCanSend: viewerCan('message:send'),
      viewerCanUpdate: viewerCan('conversation:update'),
      viewerCanManageParticipants: viewerCan('participant:manage'),
    }
  },
})

builder.prismaObject('Participant', {
  description: 'A user taking part in a conversation, with their read and delivery positions',
  fields: (t) => ({
    user: t.relation('user'),
    role: t.expose('role', { type: ParticipantRoleEnum }),
    joinedAt: t.expose('joinedAt', { type: 'DateTime' }),
    leftAt: t.expose('leftAt', { type: 'DateTime', nullable: true }),
    lastReadSeq: t.exposeInt('lastReadSeq'),
    lastDeliveredSeq: t.exposeInt('lastDeliveredSeq'),
  }),
})

builder.prismaObject('ConversationGroup', {
  description: 'A group whose members take part in a conversation',
  fields: (t) => ({
    group: t.relation('group'),
    addedAt: t.expose('addedAt', { type: 'DateTime' }),
  }),
})
