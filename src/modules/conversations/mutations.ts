import { builder } from '../../builder.js'
import { db } from '../../context.js'
import { idOf } from '../../global-id.js'
import { ConversationKindEnum, ConversationRef, ConversationStatusEnum } from './types.js'
import { addParticipants, createConversation, leaveConversation, markPosition, removeParticipant, updateConversation } from './service.js'

/** Resolvers translate global ids; services take row ids. */
export const withConversationId = <T extends { conversationId: string }>(input: T): T => ({
  ...input,
  conversationId: idOf('Conversation', input.conversationId, 'conversationId'),
})

type ConversationRow = Awaited<ReturnType<typeof createConversation>>['conversation']

const CreateConversationInput = builder.inputType('CreateConversationInput', {
  fields: (t) => ({
    kind: t.field({ type: ConversationKindEnum, required: true }),
    subject: t.string(),
    participantExternalIds: t.stringList({
      description: 'Users (by host-platform id) who take part besides the creator; they must exist in the tenant',
    }),
    groupIds: t.idList({ description: 'Groups whose operators see and answer the conversation (SUPPORT needs one)' }),
    contextType: t.string({ description: 'Links the conversation to an entity of the host platform, with contextId' }),
    contextId: t.string(),
  }),
})

const CreateConversationPayload = builder
  .objectRef<{ conversation: ConversationRow; created: boolean }>('CreateConversationPayload')
  .implement({
    fields: (t) => ({
      conversation: t.field({ type: ConversationRef, resolve: (p) => p.conversation }),
      created: t.exposeBoolean('created', {
        description: 'False when an existing DIRECT conversation between the same two users was returned',
      }),
    }),
  })

export const ConversationPayload = builder.objectRef<{ conversationId: string }>('ConversationPayload').implement({
  fields: (t) => ({
    conversation: t.prismaField({
      type: ConversationRef,
      resolve: (query, p, _args, ctx) => db(ctx).conversation.findUniqueOrThrow({ ...query, where: { id: p.conversationId } }),
    }),
  }),
})

const UpdateConversationInput = builder.inputType('UpdateConversationInput', {
  fields: (t) => ({ conversationId: t.id({ required: true }), subject: t.string(), status: t.field({ type: ConversationStatusEnum }) }),
})
const ParticipantsInput = builder.inputType('AddParticipantsInput', {
  fields: (t) => ({ conversationId: t.id({ required: true }), participantExternalIds: t.stringList({ required: true }) }),
})
const RemoveParticipantInput = builder.inputType('RemoveParticipantInput', {
  fields: (t) => ({ conversationId: t.id({ required: true }), participantExternalId: t.string({ required: true }) }),
})
const LeaveConversationInput = builder.inputType('LeaveConversationInput', {
  fields: (t) => ({ conversationId: t.id({ required: true }) }),
})
const PositionInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      conversationId: t.id({ required: true }),
      seq: t.int({ required: true, description: 'The timeline position reached' }),
    }),
  })
const MarkReadInput = PositionInput('MarkReadInput')
const MarkDeliveredInput = PositionInput('MarkDeliveredInput')

const positionPayload = (name: string) =>
  builder.objectRef<Awaited<ReturnType<typeof markPosition>>>(name).implement({
    fields: (t) => ({
      conversation: t.prismaField({
        type: ConversationRef,
        resolve: (query, p, _args, ctx) => db(ctx).conversation.findUniqueOrThrow({ ...query, where: { id: p.conversationId } }),
      }),
      lastReadSeq: t.int({ resolve: (p) => p.participant.lastReadSeq }),
      lastDeliveredSeq: t.int({ resolve: (p) => p.participant.lastDeliveredSeq }),
    }),
  })

builder.mutationFields((t) => ({
  createConversation: t.field({
    type: CreateConversationPayload,
    description: 'DIRECT (reused for the same two users), GROUP, or SUPPORT (an end user plus an operator group)',
    args: { input: t.arg({ type: CreateConversationInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      createConversation(ctx, { ...input, groupIds: input.groupIds?.map((g) => idOf('Group', g, 'groupIds')) }),
  }),
  updateConversation: t.field({
    type: ConversationPayload,
    args: { input: t.arg({ type: UpdateConversationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: (await updateConversation(ctx, withConversationId(input))).id }),
  }),
  addParticipants: t.field({
    type: ConversationPayload,
    args: { input: t.arg({ type: ParticipantsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await addParticipants(ctx, withConversationId(input)) }),
  }),
  removeParticipant: t.field({
    type: ConversationPayload,
    args: { input: t.arg({ type: RemoveParticipantInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await removeParticipant(ctx, withConversationId(input)) }),
  }),
  leaveConversation: t.field({
    type: ConversationPayload,
    args: { input: t.arg({ type: LeaveConversationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await leaveConversation(ctx, withConversationId(input)) }),
  }),
  markRead: t.field({
    type: positionPayload('MarkReadPayload'),
    description: 'Moves your read position forward (never back); also moves your delivered position',
    args: { input: t.arg({ type: MarkReadInput, required: true }) },
    resolve: (_root, { input }, ctx) => markPosition(ctx, withConversationId(input), 'lastReadSeq'),
  }),
  markDelivered: t.field({
    type: positionPayload('MarkDeliveredPayload'),
    args: { input: t.arg({ type: MarkDeliveredInput, required: true }) },
    resolve: (_root, { input }, ctx) => markPosition(ctx, withConversationId(input), 'lastDeliveredSeq'),
  }),
}))
