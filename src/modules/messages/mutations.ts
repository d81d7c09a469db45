import { builder } from '../../builder.js'
import { type Context, db } from '../../context.js'
import { idOf } from '../../global-id.js'
import { MessageRef } from './types.js'
import { deleteMessage, editMessage, sendMessage } from './service.js'
// The code maskError will give the client (UNAVAILABLE for an unreachable database, …): the metric's label.
import { errorCode } from '../../server/mask-error.js'
import { limitSend } from '../../limits/plugins.js'

const SendMessageInput = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    conversationId: t.id({ required: true }),
    body: t.string({ required: true }),
    clientMessageId: t.string({
      required: true,
      description: 'Chosen by the client (e.g. a UUID) and reused on every retry: the same id always answers with the original message',
    }),
    internal: t.boolean({ description: 'An internal note: operators and admins only; end users never see it' }),
  }),
})
const EditMessageInput = builder.inputType('EditMessageInput', {
  fields: (t) => ({ messageId: t.id({ required: true }), body: t.string({ required: true }) }),
})
const DeleteMessageInput = builder.inputType('DeleteMessageInput', {
  fields: (t) => ({ messageId: t.id({ required: true }) }),
})

type MessageRow = Awaited<ReturnType<typeof sendMessage>>

/**
 * A whole send (rate limit, id decoding, the service), its refusal counted once in
 * switchboard_message_send_rejected_total{code} with the code the client sees. (Sends the per-user
 * operations limit refuses before any resolver runs are counted by src/limits/plugins.ts.)
 */
async function countingRejections<T>(ctx: Context, send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (e) {
    ctx.app.metrics.sendRejected.inc({ code: errorCode(e) })
    throw e
  }
}

/**
 * The write returned the message (and, on the send fast path, its sender): serve the payload from it
 * when the selection needs nothing else, instead of reading it again.
 */
function servedByRow(query: { include?: Record<string, unknown>; select?: unknown }, row: object): boolean {
  if (query.select) return false
  return Object.entries(query.include ?? {}).every(([relation, wanted]) => wanted === true && relation in row)
}

const payload = (name: string) =>
  builder.objectRef<{ message: MessageRow }>(name).implement({
    fields: (t) => ({
      message: t.prismaField({
        type: MessageRef,
        resolve: (query, p, _args, ctx) =>
          servedByRow(query, p.message) ? p.message : db(ctx).message.findUniqueOrThrow({ ...query, where: { id: p.message.id } }),
      }),
    }),
  })

builder.mutationFields((t) => ({
  sendMessage: t.field({
    type: payload('SendMessagePayload'),
    args: { input: t.arg({ type: SendMessageInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      countingRejections(ctx, async () => {
        await limitSend(ctx)
        return {
          message: await sendMessage(ctx, { ...input, conversationId: idOf('Conversation', input.conversationId, 'conversationId') }),
        }
      }),
  }),
  editMessage: t.field({
    type: payload('EditMessagePayload'),
    description: 'Replaces the body (sender only); previous bodies stay readable in revisions',
    args: { input: t.arg({ type: EditMessageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      message: await editMessage(ctx, { ...input, messageId: idOf('Message', input.messageId, 'messageId') }),
    }),
  }),
  deleteMessage: t.field({
    type: payload('DeleteMessagePayload'),
    description: 'Soft delete (sender or admin): the message stays as a tombstone without its body',
    args: { input: t.arg({ type: DeleteMessageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      message: await deleteMessage(ctx, { ...input, messageId: idOf('Message', input.messageId, 'messageId') }),
    }),
  }),
}))
