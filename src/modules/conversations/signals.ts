// Ephemeral signals of a conversation: typing (setTyping) and read/delivery receipts. No seq, never
// replayed. Every delivery is checked against the visibility rule in memory (src/timeline/membership.ts,
// kept current by the membership topic), so a removed participant hears nothing after the removal.
import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { seesConversation, seesInternal } from '../../auth/visibility.js'
import { encodeGlobalId } from '../../global-id.js'
import { idOf } from '../../global-id.js'
import type { Topics } from '../../realtime/pubsub.js'
import { publishSignal } from '../../realtime/publish.js'
import { coalescingStream } from '../../realtime/streams.js'
import { UserRef } from '../users/types.js'
import { requireConversation } from './access.js'

type Signal = Topics['signal']

export const ConversationSignalRef = builder.interfaceRef<Signal>('ConversationSignal').implement({
  description: 'Ephemeral: not part of the timeline, takes no seq, never replayed',
  fields: (t) => ({
    conversationId: t.id({ resolve: (s) => encodeGlobalId('Conversation', s.conversationId) }),
    user: t.prismaField({
      type: UserRef,
      resolve: (query, s, _args, ctx) => db(ctx).user.findUniqueOrThrow({ ...query, where: { id: s.userId } }),
    }),
  }),
  resolveType: (s) => ({ typing: 'TypingSignal', viewing: 'ViewingSignal', receipt: 'ReceiptSignal' })[s.kind],
})

builder.objectRef<Extract<Signal, { kind: 'typing' }>>('TypingSignal').implement({
  description: 'The user is typing; shown until expiresAt unless renewed',
  interfaces: [ConversationSignalRef],
  fields: (t) => ({
    expiresAt: t.field({ type: 'DateTime', resolve: (s) => new Date(s.expiresAt) }),
    internal: t.boolean({ description: 'Typing an internal note (seen by operators and admins only)', resolve: (s) => s.internal }),
  }),
})

builder.objectRef<Extract<Signal, { kind: 'viewing' }>>('ViewingSignal').implement({
  description:
    'Staff presence: an operator or admin has the conversation open (operators and admins only see it); until expiresAt unless renewed',
  interfaces: [ConversationSignalRef],
  fields: (t) => ({ expiresAt: t.field({ type: 'DateTime', resolve: (s) => new Date(s.expiresAt) }) }),
})

builder.objectRef<Extract<Signal, { kind: 'receipt' }>>('ReceiptSignal').implement({
  description: "The user's read or delivered position moved",
  interfaces: [ConversationSignalRef],
  fields: (t) => ({ lastReadSeq: t.exposeInt('lastReadSeq'), lastDeliveredSeq: t.exposeInt('lastDeliveredSeq') }),
})

builder.subscriptionField('conversationSignals', (t) =>
  t.field({
    type: ConversationSignalRef,
    description: "Typing indicators and read/delivery receipts of a conversation's participants (ephemeral, not replayed)",
    args: { conversationId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const viewer = viewerOf(ctx)
      const { conversation } = await requireConversation(
        ctx,
        idOf('Conversation', args.conversationId, 'conversationId'),
        'conversation:read',
      )
      const { broker, membership, metrics, shutdown } = ctx.app
      return coalescingStream<Signal>({ expiresAt: viewer.expiresAt, shutdown }, metrics, 'conversationSignals', {
        listen: (push) => {
          const unsubscribe = broker.subscribe('signal', conversation.id, push)
          let unpin: (() => void) | undefined
          let closed = false
          void membership.get(viewer.tenantId, conversation.id).then(
            () => {
              if (!closed) unpin = membership.pin(conversation.id)
            },
            () => {},
          )
          return () => {
            closed = true
            unsubscribe()
            unpin?.()
          }
        },
        accept: async (signal) => {
          const snapshot = await membership.get(viewer.tenantId, conversation.id)
          if (!snapshot || !seesConversation(viewer, snapshot)) return 'stop'
          // Typing of an internal note, and who of the staff is viewing, are for staff only.
          if (((signal.kind === 'typing' && signal.internal) || signal.kind === 'viewing') && !seesInternal(viewer)) return false
          return signal.userId !== viewer.userId
        },
        coalesceKey: (signal) => `${signal.kind}:${signal.userId}`,
      })
    },
    resolve: (signal) => signal,
  }),
)

const SetTypingInput = builder.inputType('SetTypingInput', {
  fields: (t) => ({
    conversationId: t.id({ required: true }),
    internal: t.boolean({ description: 'Typing an internal note: only operators and admins see it' }),
  }),
})

builder.mutationField('setTyping', (t) =>
  t.field({
    type: builder.objectRef<{ expiresAt: number }>('SetTypingPayload').implement({
      fields: (f) => ({ expiresAt: f.field({ type: 'DateTime', resolve: (p) => new Date(p.expiresAt) }) }),
    }),
    description: 'Tells the other participants you are typing, for TYPING_TTL_MS; call again to extend',
    args: { input: t.arg({ type: SetTypingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const internal = !!input.internal
      const { conversation } = await requireConversation(
        ctx,
        idOf('Conversation', input.conversationId, 'conversationId'),
        internal ? 'message:note' : 'message:send',
      )
      const expiresAt = Date.now() + ctx.app.config.typingTtlMs
      publishSignal(ctx, { kind: 'typing', conversationId: conversation.id, userId: viewerOf(ctx).userId, expiresAt, internal })
      return { expiresAt }
    },
  }),
)

/** How long a viewing signal lasts; clients renew it while the conversation stays open. */
export const VIEWING_TTL_MS = 30_000

builder.mutationField('setViewing', (t) =>
  t.field({
    type: builder.objectRef<{ expiresAt: number }>('SetViewingPayload').implement({
      fields: (f) => ({ expiresAt: f.field({ type: 'DateTime', resolve: (p) => new Date(p.expiresAt) }) }),
    }),
    description:
      'Staff presence (collision detection): tells the other operators and admins you have this conversation open, for 30 s; call again to extend',
    args: {
      input: t.arg({
        type: builder.inputType('SetViewingInput', { fields: (f) => ({ conversationId: f.id({ required: true }) }) }),
        required: true,
      }),
    },
    resolve: async (_root, { input }, ctx) => {
      const { conversation } = await requireConversation(ctx, idOf('Conversation', input.conversationId, 'conversationId'), 'message:note')
      const expiresAt = Date.now() + VIEWING_TTL_MS
      publishSignal(ctx, { kind: 'viewing', conversationId: conversation.id, userId: viewerOf(ctx).userId, expiresAt })
      return { expiresAt }
    },
  }),
)
