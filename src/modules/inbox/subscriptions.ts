// inboxEvents: the viewer's conversation list, live. Routed per node by src/modules/inbox/router.ts.
import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { conversationWhere } from '../../auth/visibility.js'
import { encodeGlobalId } from '../../global-id.js'
import { coalescingStream } from '../../realtime/streams.js'
import { ConversationRef } from '../conversations/types.js'
import type { InboxPayload } from './router.js'

export const InboxEventReasonEnum = builder.enumType('InboxEventReason', {
  description: "How a conversation changed in the viewer's list",
  values: ['ADDED', 'UPDATED', 'REMOVED'] as const,
})

export const InboxEventRef = builder.objectRef<InboxPayload>('InboxEvent').implement({
  description: "A change in the viewer's conversation list: a conversation was added, changed (new message, unread count) or removed",
  fields: (t) => ({
    reason: t.field({ type: InboxEventReasonEnum, resolve: (e) => e.reason }),
    conversationId: t.id({ resolve: (e) => encodeGlobalId('Conversation', e.conversationId) }),
    conversation: t.prismaField({
      type: ConversationRef,
      nullable: true,
      extensions: { viewerDependent: true },
      description: 'The conversation as the viewer sees it now; null once removed from their view',
      resolve: (query, e, _args, ctx) =>
        db(ctx).conversation.findFirst({ ...query, where: { id: e.conversationId, ...conversationWhere(viewerOf(ctx)) } }),
    }),
  }),
})

builder.subscriptionField('inboxEvents', (t) =>
  t.field({
    type: InboxEventRef,
    description: "Keeps the viewer's conversation list live: conversations added, changed (messages, unread counts) or removed",
    subscribe: (_root, _args, ctx) => {
      const viewer = viewerOf(ctx)
      const { inbox, metrics, shutdown } = ctx.app
      return coalescingStream<InboxPayload>({ expiresAt: viewer.expiresAt, shutdown }, metrics, 'inboxEvents', {
        listen: (push) => inbox.listen(viewer.tenantId, viewer, push),
        accept: () => true,
        coalesceKey: (event) => event.conversationId,
      })
    },
    resolve: (event) => event,
  }),
)
