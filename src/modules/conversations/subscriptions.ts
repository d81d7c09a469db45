// conversationEvents (graphql-ws and GraphQL over SSE): authorized at subscribe, then followed through
// the node's shared timeline source (src/timeline/hub.ts), which re-checks visibility before every
// delivery.
import { builder } from '../../builder.js'
import { type Context, viewerOf } from '../../context.js'
import { badInput } from '../../errors.js'
import { idOf } from '../../global-id.js'
import { requireConversation } from './access.js'
import { ConversationEventRef } from './events.js'

const MAX_INT = 2 ** 31 - 1

/** Over SSE, a reconnecting EventSource sends the last id it saw (a seq) as Last-Event-ID. */
function lastEventId(ctx: Context): number | undefined {
  const header = ctx.request?.headers.get('last-event-id')?.trim()
  if (!header) return undefined
  if (!/^\d{1,10}$/.test(header) || Number(header) > MAX_INT) throw badInput('Last-Event-ID must be a seq', 'Last-Event-ID')
  return Number(header)
}

builder.subscriptionField('conversationEvents', (t) =>
  t.field({
    type: ConversationEventRef,
    description:
      'Every timeline event after afterSeq, in seq order, exactly once, then live. Without afterSeq: the Last-Event-ID header (SSE), else live from now. Over SSE each event carries id: <seq>',
    args: { conversationId: t.arg.id({ required: true }), afterSeq: t.arg.int() },
    subscribe: async (_root, args, ctx) => {
      const viewer = viewerOf(ctx)
      const { conversation } = await requireConversation(
        ctx,
        idOf('Conversation', args.conversationId, 'conversationId'),
        'conversation:read',
      )
      const afterSeq = args.afterSeq ?? lastEventId(ctx) ?? conversation.lastSeq
      if (afterSeq < 0) throw badInput('afterSeq must be >= 0', 'afterSeq')
      // A position the timeline has not reached would silently skip the events up to it.
      if (afterSeq > conversation.lastSeq)
        throw badInput(`afterSeq is beyond the conversation's lastSeq (${conversation.lastSeq})`, 'afterSeq')
      return ctx.app.timeline.follow({
        tenantId: viewer.tenantId,
        viewer,
        conversationId: conversation.id,
        afterSeq,
        lastSeq: conversation.lastSeq,
        replayLimit: ctx.app.config.replayLimit,
        expiresAt: viewer.expiresAt,
        shutdown: ctx.app.shutdown,
      })
    },
    resolve: (item) => item,
  }),
)
