import { builder } from '../../builder.js'
import { idOf } from '../../global-id.js'
import { GroupRef } from './types.js'
import { changeGroupMembers, createGroup, renameGroup } from './service.js'

const GroupPayload = builder.objectRef<{ group: Awaited<ReturnType<typeof createGroup>> }>('GroupPayload').implement({
  fields: (t) => ({ group: t.field({ type: GroupRef, resolve: (p) => p.group }) }),
})

const CreateGroupInput = builder.inputType('CreateGroupInput', {
  fields: (t) => ({ name: t.string({ required: true }), memberExternalIds: t.stringList({ required: false }) }),
})
const RenameGroupInput = builder.inputType('RenameGroupInput', {
  fields: (t) => ({ groupId: t.id({ required: true }), name: t.string({ required: true }) }),
})
const GroupMembersInput = builder.inputType('GroupMembersInput', {
  fields: (t) => ({ groupId: t.id({ required: true }), memberExternalIds: t.stringList({ required: true }) }),
})

builder.mutationFields((t) => ({
  createGroup: t.field({
    type: GroupPayload,
    description: 'Creates a group, e.g. an operators team (admin)',
    args: { input: t.arg({ type: CreateGroupInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ group: await createGroup(ctx, input) }),
  }),
  renameGroup: t.field({
    type: GroupPayload,
    args: { input: t.arg({ type: RenameGroupInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      group: await renameGroup(ctx, { ...input, groupId: idOf('Group', input.groupId, 'groupId') }),
    }),
  }),
  addGroupMembers: t.field({
    type: GroupPayload,
    args: { input: t.arg({ type: GroupMembersInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      group: await changeGroupMembers(ctx, { ...input, groupId: idOf('Group', input.groupId, 'groupId') }, 'add'),
    }),
  }),
  removeGroupMembers: t.field({
    type: GroupPayload,
    args: { input: t.arg({ type: GroupMembersInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      group: await changeGroupMembers(ctx, { ...input, groupId: idOf('Group', input.groupId, 'groupId') }, 'remove'),
    }),
  }),
}))
