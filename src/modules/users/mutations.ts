import { builder } from '../../builder.js'
import { RoleEnum, UserRef } from './types.js'
import { upsertUser } from './service.js'

const UpsertUserInput = builder.inputType('UpsertUserInput', {
  fields: (t) => ({
    externalId: t.string({ required: true, description: "The user's id in the host platform (the token's sub)" }),
    displayName: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
})

const UpsertUserPayload = builder.objectRef<{ user: Awaited<ReturnType<typeof upsertUser>> }>('UpsertUserPayload').implement({
  fields: (t) => ({ user: t.field({ type: UserRef, resolve: (payload) => payload.user }) }),
})

builder.mutationField('upsertUser', (t) =>
  t.field({
    type: UpsertUserPayload,
    description: 'Creates or updates a user of your tenant before they ever connect (admin, service)',
    authScopes: { permission: 'user:upsert' },
    args: { input: t.arg({ type: UpsertUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ user: await upsertUser(ctx, input) }),
  }),
)
