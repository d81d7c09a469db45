import { builder } from '../../builder.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { viewerOf } from '../../context.js'
import { conversationWhere, messageWhere } from '../../auth/visibility.js'
import type { Role } from '../../generated/prisma/enums.js'
import { canOnMessage } from '../../auth/permissions.js'

/** The one definition of a message page: seq order, optionally only what came after `afterSeq`, and no internal notes for end users. */
export const messagePage = (viewer: { role: Role }, afterSeq: number | null | undefined) =>
  ({ where: { ...messageWhere(viewer), ...(afterSeq != null ? { seq: { gt: afterSeq } } : {}) }, orderBy: { seq: 'asc' } }) as const

export const MessageRef = builder.prismaNode('Message', {
  description: 'A message on a conversation timeline (an internal note when internal is true)',
  id: { field: 'id' },
  nullable: true,
  // A message is visible exactly when its conversation is.
  findUnique: (id, ctx) =>
    ({ id, conversation: conversationWhere(viewerOf(ctx)), ...messageWhere(viewerOf(ctx)) }) as Prisma.MessageWhereUniqueInput,
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'The seq of its creation on the conversation timeline' }),
    clientMessageId: t.exposeString('clientMessageId'),
    internal: t.exposeBoolean('internal', { description: 'An internal note: operators and admins only, never shown to end users' }),
    body: t.string({
      nullable: true,
      description: 'Null once the message is deleted',
      select: { body: true, deletedAt: true },
      resolve: (message) => (message.deletedAt ? null : message.body),
    }),
    sender: t.relation('sender'),
    conversation: t.relation('conversation'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    editedAt: t.expose('editedAt', { type: 'DateTime', nullable: true }),
    deletedAt: t.expose('deletedAt', { type: 'DateTime', nullable: true }),
    revisions: t.relation('revisions', {
      description: 'Previous bodies, oldest first (gone once the message is deleted)',
      query: { orderBy: { createdAt: 'asc' } },
    }),
    viewerCanEdit: t.boolean({
      extensions: { viewerDependent: true },
      select: { senderId: true, deletedAt: true },
      resolve: (message, _args, ctx) => canOnMessage(viewerOf(ctx), message, 'edit'),
    }),
    viewerCanDelete: t.boolean({
      extensions: { viewerDependent: true },
      select: { senderId: true, deletedAt: true },
      resolve: (message, _args, ctx) => canOnMessage(viewerOf(ctx), message, 'delete'),
    }),
  }),
})

builder.prismaObject('MessageRevision', {
  description: 'A previous body of an edited message',
  fields: (t) => ({
    body: t.exposeString('body'),
    replacedAt: t.expose('createdAt', { type: 'DateTime', description: 'When this body was replaced' }),
  }),
})
