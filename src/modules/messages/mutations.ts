import { builder } from '../../builder.js'
import { MessageRef } from './types.js'
import { deleteMessage, editMessage, sendMessage } from './service.js'
import { limitSend } from '../../limits/plugins.js'

const SendMessageInput = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    conversationId: t.id({ required: true }),
    body: t.string({ required: true }),
    clientMessageId: t.string({
      required: true,
      description: 'Chosen by the client (e.g. a UUID) and reused on every retry: the same id always answers with the original message',
    }),
  }),
})
const EditMessageInput = builder.inputType('EditMessageInput', {
  fields: (t) => ({ messageId: t.id({ required: true }), body: t.string({ required: true }) }),
})
const DeleteMessageInput = builder.inputType('DeleteMessageInput', {
  fields: (t) => ({ messageId: t.id({ required: true }) }),
})

type MessageRow = Awaited<ReturnType<typeof sendMessage>>
const payload = (name: string) =>
  builder.objectRef<{ message: MessageRow }>(name).implement({
    fields: (t) => ({ message: t.field({ type: MessageRef, resolve: (p) => p.message }) }),
  })

builder.mutationFields((t) => ({
  sendMessage: t.field({
    type: payload('SendMessagePayload'),
    args: { input: t.arg({ type: SendMessageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await limitSend(ctx)
      return { message: await sendMessage(ctx, input) }
    },
  }),
  editMessage: t.field({
    type: payload('EditMessagePayload'),
    description: 'Replaces the body (sender only); previous bodies stay readable in revisions',
    args: { input: t.arg({ type: EditMessageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ message: await editMessage(ctx, input) }),
  }),
  deleteMessage: t.field({
    type: payload('DeleteMessagePayload'),
    description: 'Soft delete (sender or admin): the message stays as a tombstone without its body',
    args: { input: t.arg({ type: DeleteMessageInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ message: await deleteMessage(ctx, input) }),
  }),
}))
