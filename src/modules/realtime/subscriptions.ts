// Subscriptions (graphql-ws and GraphQL over SSE) and the typing signal. Thin: the stream logic is in
// src/realtime/delivery.ts; authorization is checked at subscribe and again before every delivery.
import { builder } from '../../builder.js'
import { type Context, db, viewerOf } from '../../context.js'
import { badInput } from '../../errors.js'
import { conversationTimeline, followTopic } from '../../realtime/delivery.js'
import { publishSignal } from '../../realtime/publish.js'
import { requireConversation, visibleConversationWhere } from '../conversations/access.js'
import { ConversationEventRef, ConversationSignalRef, InboxEventRef } from './types.js'

const stillVisible = (ctx: Context, conversationId: string) => async () =>
  (await db(ctx).conversation.count({ where: { id: conversationId, ...visibleConversationWhere(viewerOf(ctx)) } })) > 0

/** Signals are frequent and ephemeral: their access check is reused for a short while. */
const ACCESS_RECHECK_MS = 2000

function recheckedAtMostEvery(ms: number, check: () => Promise<boolean>) {
  let last: { at: number; result: Promise<boolean> } | undefined
  return () => {
    if (!last || Date.now() - last.at > ms) last = { at: Date.now(), result: check() }
    return last.result
  }
}

/** Over SSE, a reconnecting EventSource sends the last id it saw (a seq) as Last-Event-ID. */
function lastEventId(ctx: Context): number | undefined {
  const header = ctx.request?.headers.get('last-event-id')?.trim()
  if (!header) return undefined
  if (!/^\d{1,10}$/.test(header) || Number(header) > MAX_INT) throw badInput('Last-Event-ID must be a seq', 'Last-Event-ID')
  return Number(header)
}

const MAX_INT = 2 ** 31 - 1

builder.subscriptionType({ authScopes: { authenticated: true } })

builder.subscriptionFields((t) => ({
  conversationEvents: t.field({
    type: ConversationEventRef,
    description:
      'Every timeline event after afterSeq, in seq order, exactly once, then live. Without afterSeq: the Last-Event-ID header (SSE), else live from now. Over SSE each event carries id: <seq>',
    args: { conversationId: t.arg.id({ required: true }), afterSeq: t.arg.int() },
    subscribe: async (_root, args, ctx) => {
      const { conversation } = await requireConversation(ctx, args.conversationId, 'conversation:read')
      const afterSeq = args.afterSeq ?? lastEventId(ctx) ?? conversation.lastSeq
      if (afterSeq < 0) throw badInput('afterSeq must be >= 0', 'afterSeq')
      // A position the timeline has not reached would silently skip the events up to it.
      if (afterSeq > conversation.lastSeq) throw badInput(`afterSeq is beyond the conversation's lastSeq (${conversation.lastSeq})`, 'afterSeq')
      return conversationTimeline(ctx, { conversationId: conversation.id, afterSeq, lastSeq: conversation.lastSeq, stillAllowed: stillVisible(ctx, conversation.id) })
    },
    resolve: (item, _args, ctx) => {
      // The SSE writer turns this into the event's `id:` line (src/server/sse.ts).
      ctx.eventId = item.kind === 'event' ? item.event.seq : item.resumeAfterSeq
      return item
    },
  }),
  inboxEvents: t.field({
    type: InboxEventRef,
    description: "Keeps the viewer's conversation list live: conversations added, changed (messages, unread counts) or removed",
    subscribe: (_root, _args, ctx) =>
      followTopic(ctx, 'inbox', viewerOf(ctx).userId, 'inboxEvents', { accept: async () => true, coalesceKey: (event) => event.conversationId }),
    resolve: (event) => event,
  }),
  conversationSignals: t.field({
    type: ConversationSignalRef,
    description: "Typing indicators and read/delivery receipts of a conversation's participants (ephemeral, not replayed)",
    args: { conversationId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const { conversation } = await requireConversation(ctx, args.conversationId, 'conversation:read')
      const allowed = recheckedAtMostEvery(ACCESS_RECHECK_MS, stillVisible(ctx, conversation.id))
      const viewerId = viewerOf(ctx).userId
      return followTopic(ctx, 'signal', conversation.id, 'conversationSignals', {
        accept: async (signal) => {
          if (!(await allowed())) return 'stop'
          return signal.userId !== viewerId
        },
        coalesceKey: (signal) => `${signal.kind}:${signal.userId}`,
      })
    },
    resolve: (signal) => signal,
  }),
}))

const SetTypingInput = builder.inputType('SetTypingInput', { fields: (t) => ({ conversationId: t.id({ required: true }) }) })

builder.mutationField('setTyping', (t) =>
  t.field({
    type: builder.objectRef<{ expiresAt: number }>('SetTypingPayload').implement({
      fields: (f) => ({ expiresAt: f.field({ type: 'DateTime', resolve: (p) => new Date(p.expiresAt) }) }),
    }),
    description: 'Tells the other participants you are typing, for TYPING_TTL_MS; call again to extend',
    args: { input: t.arg({ type: SetTypingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { conversation } = await requireConversation(ctx, input.conversationId, 'message:send')
      const expiresAt = Date.now() + ctx.app.config.typingTtlMs
      publishSignal(ctx, { kind: 'typing', conversationId: conversation.id, userId: viewerOf(ctx).userId, expiresAt })
      return { expiresAt }
    },
  }),
)
