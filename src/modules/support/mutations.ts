import { builder } from '../../builder.js'
import { idOf } from '../../global-id.js'
import { ConversationPayload, withConversationId } from '../conversations/mutations.js'
import { ReplyPolicyEnum, TenantSettingsRef } from './types.js'
import {
  assignConversation,
  claimConversation,
  closeConversation,
  markPending,
  reopenConversation,
  transferConversation,
  updateTenantSettings,
} from './service.js'

const ConversationRefInput = (name: string) => builder.inputType(name, { fields: (t) => ({ conversationId: t.id({ required: true }) }) })
const ClaimConversationInput = ConversationRefInput('ClaimConversationInput')
const ReopenConversationInput = ConversationRefInput('ReopenConversationInput')
const AssignConversationInput = builder.inputType('AssignConversationInput', {
  fields: (t) => ({
    conversationId: t.id({ required: true }),
    assigneeExternalId: t.string({ description: 'An operator of one of its groups, or an admin; omit or null to unassign' }),
    expectedVersion: t.int({ required: true, description: 'The version you saw: a stale one is CONFLICT and changes nothing' }),
  }),
})
const TransferConversationInput = builder.inputType('TransferConversationInput', {
  fields: (t) => ({
    conversationId: t.id({ required: true }),
    groupId: t.id({ description: 'Move to this group (unassigns it)' }),
    assigneeExternalId: t.string({ description: 'Or assign to this operator' }),
    expectedVersion: t.int({ required: true }),
  }),
})
const StatusInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({
      conversationId: t.id({ required: true }),
      expectedVersion: t.int({ description: 'When given, a stale version is CONFLICT' }),
    }),
  })
const CloseConversationInput = StatusInput('CloseConversationInput')
const MarkPendingInput = StatusInput('MarkPendingInput')
const UpdateTenantSettingsInput = builder.inputType('UpdateTenantSettingsInput', {
  fields: (t) => ({
    replyPolicy: t.field({ type: ReplyPolicyEnum }),
    operatorCapacity: t.int({ description: 'Most open SUPPORT conversations assigned to one operator at once; null for no limit' }),
    unassignOnReopen: t.boolean({ description: "An end user's message into a CLOSED conversation reopens it unassigned" }),
  }),
})
const UpdateTenantSettingsPayload = builder
  .objectRef<{ settings: Awaited<ReturnType<typeof updateTenantSettings>> }>('UpdateTenantSettingsPayload')
  .implement({
    fields: (t) => ({ settings: t.field({ type: TenantSettingsRef, resolve: (p) => p.settings }) }),
  })

builder.mutationFields((t) => ({
  claimConversation: t.field({
    type: ConversationPayload,
    description:
      'Take an unassigned SUPPORT conversation (an operator of its groups, or an admin). Concurrent claims: one wins, the others get CONFLICT with extensions.assignee and extensions.version',
    args: { input: t.arg({ type: ClaimConversationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await claimConversation(ctx, withConversationId(input)) }),
  }),
  assignConversation: t.field({
    type: ConversationPayload,
    args: { input: t.arg({ type: AssignConversationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await assignConversation(ctx, withConversationId(input)) }),
  }),
  transferConversation: t.field({
    type: ConversationPayload,
    description: 'Move a SUPPORT conversation to another group (which unassigns it) or to an operator',
    args: { input: t.arg({ type: TransferConversationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      conversationId: await transferConversation(ctx, {
        ...withConversationId(input),
        groupId: input.groupId ? idOf('Group', input.groupId, 'groupId') : null,
      }),
    }),
  }),
  closeConversation: t.field({
    type: ConversationPayload,
    args: { input: t.arg({ type: CloseConversationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await closeConversation(ctx, withConversationId(input)) }),
  }),
  markConversationPending: t.field({
    type: ConversationPayload,
    description: 'PENDING: waiting on the end user (their next message reopens it)',
    args: { input: t.arg({ type: MarkPendingInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await markPending(ctx, withConversationId(input)) }),
  }),
  reopenConversation: t.field({
    type: ConversationPayload,
    args: { input: t.arg({ type: ReopenConversationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ conversationId: await reopenConversation(ctx, withConversationId(input)) }),
  }),
  updateTenantSettings: t.field({
    type: UpdateTenantSettingsPayload,
    description: 'Support inbox settings of your tenant (admin)',
    args: { input: t.arg({ type: UpdateTenantSettingsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ settings: await updateTenantSettings(ctx, input) }),
  }),
}))
