// Guarantee "Isolation", as a matrix over every query and mutation that touches conversations, messages,
// groups and users:
//  - another tenant's ids behave exactly like ids that do not exist (same null, same error, same message);
//  - a member who does not take part in a conversation (never did, or left) sees nothing of it and cannot
//    write to it (NOT_FOUND, as for a missing conversation); so does an operator whose group is not on it;
//  - a role below what a mutation needs gets FORBIDDEN;
//  - and a refused operation writes nothing: the whole state of the tenant it aimed at (the conversation,
//    its timeline position, participants and read positions, messages and revisions, groups, users) reads
//    back identical afterwards.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client, type ExecuteResult } from './kit/execute.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  AddGroupMembersDocument,
  AddParticipantsDocument,
  ConversationDocument,
  ConversationSnapshotDocument,
  ConversationsDocument,
  CreateConversationDocument,
  CreateGroupDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  GroupNodeDocument,
  GroupsDocument,
  LeaveConversationDocument,
  MarkDeliveredDocument,
  MarkReadDocument,
  MessagesDocument,
  NodeDocument,
  PollMessagesDocument,
  RemoveGroupMembersDocument,
  RemoveParticipantDocument,
  RenameGroupDocument,
  SendMessageDocument,
  UpdateConversationDocument,
  UpsertUserDocument,
  UserNodeDocument,
  type CreateConversationInput,
} from '../client/generated/graphql.js'

type IdType = 'Conversation' | 'Message' | 'User' | 'Group'
/** A well-formed global id of `type` that names nothing. */
const phantomId = (type: IdType) => Buffer.from(`${type}:${randomUUID()}`).toString('base64')

/** What an operation is aimed at: tenant A's real objects, or well-formed ids that name nothing. */
interface Target {
  conversationId: string
  messageId: string
  groupId: string
  userId: string
  /** A user's externalId: one that exists only in tenant A, or one that exists nowhere. */
  userExternalId: string
}
const phantomTarget = (): Target => ({
  conversationId: phantomId('Conversation'),
  messageId: phantomId('Message'),
  groupId: phantomId('Group'),
  userId: phantomId('User'),
  userExternalId: `ghost-${randomUUID().slice(0, 8)}`,
})

interface Actor extends TestUser {
  /** An externalId of the actor's own tenant that is not in the conversation (what they would try to add). */
  addable: string
}

let t: TestApp
let run: ReturnType<typeof client>
/** Tenant A: the tenant that owns the conversation. */
let A: Record<'admin' | 'alice' | 'bob' | 'carol' | 'mallory' | 'erin' | 'opIn' | 'opOut' | 'service', Actor>
/** Tenant B: another tenant, with its own admin and its own user named "alice". */
let B: Record<'admin' | 'alice', Actor>
let target: Target
let salesGroupId: string
let bConversationId: string
let bGroupId: string

beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
  const a = tenantWorld(t.graphqlUrl, 'iso-a')
  const b = tenantWorld(t.graphqlUrl, 'iso-b')
  const actor = async (world: typeof a, externalId: string, role: TestUser['role'], addable: string): Promise<Actor> => ({
    ...(await world.user(externalId, role)),
    addable,
  })
  const [admin, alice, bob, carol, mallory, erin, opIn, opOut, service, adminB, aliceB] = await Promise.all([
    actor(a, 'admin', 'admin', 'mallory'),
    actor(a, 'alice', 'member', 'mallory'),
    actor(a, 'bob', 'member', 'mallory'),
    actor(a, 'carol', 'member', 'mallory'),
    actor(a, 'mallory', 'member', 'mallory'),
    actor(a, 'erin', 'member', 'mallory'),
    actor(a, 'op-in', 'operator', 'mallory'),
    actor(a, 'op-out', 'operator', 'op-out'),
    actor(a, 'svc', 'service', 'mallory'),
    actor(b, 'admin-b', 'admin', 'alice'),
    // Same externalId as tenant A's alice: an externalId only ever means a user of the viewer's tenant.
    actor(b, 'alice', 'member', 'alice'),
  ])
  A = { admin, alice, bob, carol, mallory, erin, opIn, opOut, service }
  B = { admin: adminB, alice: aliceB }

  const group = async (owner: Actor, name: string, members: string[]) =>
    (
      await run({ document: CreateGroupDocument, token: owner.token, variables: { input: { name, memberExternalIds: members } } })
    ).expectData().createGroup.group.id
  const [supportGroupId, salesId, bTeamId] = await Promise.all([
    group(admin, 'Support', ['op-in']),
    group(admin, 'Sales', ['op-out']),
    group(adminB, 'B team', ['alice']),
  ])
  salesGroupId = salesId
  bGroupId = bTeamId

  // alice owns a GROUP conversation with bob and carol, answered by the Support group (op-in).
  const created = await run({
    document: CreateConversationDocument,
    token: alice.token,
    variables: { input: { kind: 'GROUP', subject: 'Plans', participantExternalIds: ['bob', 'carol'], groupIds: [supportGroupId] } },
  })
  const conversationId = created.expectData().createConversation.conversation.id
  const sent = await run({
    document: SendMessageDocument,
    token: alice.token,
    variables: { input: { conversationId, body: 'original body', clientMessageId: 'm1' } },
  })
  const messageId = sent.expectData().sendMessage.message.id
  ;(await run({ document: LeaveConversationDocument, token: carol.token, variables: { input: { conversationId } } })).expectData()
  target = { conversationId, messageId, groupId: supportGroupId, userId: alice.id, userExternalId: 'bob' }

  const bConversation = await run({
    document: CreateConversationDocument,
    token: adminB.token,
    variables: { input: { kind: 'GROUP', subject: 'B only', participantExternalIds: ['alice'] } },
  })
  bConversationId = bConversation.expectData().createConversation.conversation.id
})
afterAll(() => t?.stop())

/** Everything of tenant A a refused operation could have written, as tenant A's admin reads it. */
async function stateOfTenantA() {
  const conversation = (
    await run({ document: ConversationSnapshotDocument, token: A.admin.token, variables: { id: target.conversationId } })
  ).expectData().conversation
  const conversations = (await run({ document: ConversationsDocument, token: A.admin.token, variables: { first: 100 } }))
    .expectData()
    .conversations.edges.map((e) => e.node.id)
  const groups = await Promise.all(
    (await run({ document: GroupsDocument, token: A.admin.token }))
      .expectData()
      .groups.map(
        async (g) => (await run({ document: GroupNodeDocument, token: A.admin.token, variables: { id: g.id } })).expectData().node,
      ),
  )
  const users = await Promise.all(
    Object.values(A).map(
      async (u) => (await run({ document: UserNodeDocument, token: A.admin.token, variables: { id: u.id } })).expectData().node,
    ),
  )
  return { conversation, conversations, groups, users }
}

async function conversationIdsSeenBy(who: Actor, unreadOnly = false) {
  const result = await run({ document: ConversationsDocument, token: who.token, variables: { first: 100, filter: { unreadOnly } } })
  return result.expectData().conversations.edges.map((e) => e.node.id)
}

/** The response as a client sees it, with the ids it was asked about replaced by their role. */
function asSeen(result: ExecuteResult<unknown>, aimedAt: Target) {
  let text = JSON.stringify({ data: result.data ?? null, errors: result.errors ?? null })
  for (const [name, value] of Object.entries(aimedAt)) text = text.replaceAll(value, `<${name}>`)
  return JSON.parse(text) as unknown
}

describe('the setup is live: the rightful viewers see what the matrix aims at', () => {
  it('participants and the Support operator see the conversation and its message; A admin sees the user and the group', async () => {
    const state = await stateOfTenantA()
    expect(state.conversation).toMatchObject({
      subject: 'Plans',
      messages: { edges: [{ node: { id: target.messageId, body: 'original body' } }] },
    })
    for (const who of [A.alice, A.bob, A.opIn]) {
      expect(
        (await run({ document: ConversationDocument, token: who.token, variables: { id: target.conversationId } })).expectData()
          .conversation?.id,
      ).toBe(target.conversationId)
      expect(
        (await run({ document: NodeDocument, token: who.token, variables: { id: target.messageId } })).expectData().node,
      ).toMatchObject({ __typename: 'Message', id: target.messageId })
      expect((await reads['messages(conversationId)'](who, target)).value).toMatchObject([{ node: { id: target.messageId } }])
    }
    expect((await run({ document: NodeDocument, token: A.admin.token, variables: { id: target.userId } })).expectData().node).toMatchObject(
      { __typename: 'User' },
    )
    expect(
      (await run({ document: NodeDocument, token: A.admin.token, variables: { id: target.groupId } })).expectData().node,
    ).toMatchObject({ __typename: 'Group' })
    expect(await conversationIdsSeenBy(A.alice)).toContain(target.conversationId)
    // bob has not read alice's message: the unreadOnly list would name the conversation to whoever may see it.
    expect(await conversationIdsSeenBy(A.bob, true)).toContain(target.conversationId)
  })
})

// ---------------------------------------------------------------------------------------------------
// Reads: for whoever may not see the object, its real id reads exactly like an id that names nothing.

type ReadName =
  | 'conversation(id)'
  | 'node(Conversation id)'
  | 'node(Message id)'
  | 'conversation.messages'
  | 'messages(conversationId)'
  | 'node(User id)'
  | 'node(Group id)'
/** Each read returns the part that names the object: null (or an empty page) when the viewer may not see it. */
const reads: Record<ReadName, (who: Actor, at: Target) => Promise<{ result: ExecuteResult<unknown>; value: unknown }>> = {
  'conversation(id)': async (who, at) => {
    const result = await run({ document: ConversationDocument, token: who.token, variables: { id: at.conversationId } })
    return { result, value: result.expectData().conversation }
  },
  'node(Conversation id)': async (who, at) => {
    const result = await run({ document: NodeDocument, token: who.token, variables: { id: at.conversationId } })
    return { result, value: result.expectData().node }
  },
  'node(Message id)': async (who, at) => {
    const result = await run({ document: NodeDocument, token: who.token, variables: { id: at.messageId } })
    return { result, value: result.expectData().node }
  },
  'conversation.messages': async (who, at) => {
    const result = await run({ document: MessagesDocument, token: who.token, variables: { conversationId: at.conversationId, first: 50 } })
    return { result, value: result.expectData().conversation }
  },
  'messages(conversationId)': async (who, at) => {
    const result = await run({
      document: PollMessagesDocument,
      token: who.token,
      variables: { conversationId: at.conversationId, afterSeq: 0 },
    })
    return { result, value: result.expectData().messages.edges }
  },
  'node(User id)': async (who, at) => {
    const result = await run({ document: UserNodeDocument, token: who.token, variables: { id: at.userId } })
    return { result, value: result.expectData().node }
  },
  'node(Group id)': async (who, at) => {
    const result = await run({ document: GroupNodeDocument, token: who.token, variables: { id: at.groupId } })
    return { result, value: result.expectData().node }
  },
}

const OUTSIDERS = {
  'admin of another tenant': () => B.admin,
  'member who is not a participant': () => A.mallory,
  'member who left the conversation': () => A.carol,
  'operator whose group is not on the conversation': () => A.opOut,
} as const
type OutsiderName = keyof typeof OUTSIDERS

const CONVERSATION_READS: ReadName[] = [
  'conversation(id)',
  'node(Conversation id)',
  'node(Message id)',
  'conversation.messages',
  'messages(conversationId)',
]
/** What "nothing" looks like for each read. */
const NOTHING: Partial<Record<ReadName, unknown>> = { 'messages(conversationId)': [] }
const readRows: Array<{ actor: OutsiderName; read: ReadName }> = [
  ...CONVERSATION_READS.map((read) => ({ actor: 'admin of another tenant' as const, read })),
  { actor: 'admin of another tenant', read: 'node(User id)' },
  { actor: 'admin of another tenant', read: 'node(Group id)' },
  ...CONVERSATION_READS.map((read) => ({ actor: 'member who is not a participant' as const, read })),
  // Members see only the groups they belong to.
  { actor: 'member who is not a participant', read: 'node(Group id)' },
  ...CONVERSATION_READS.map((read) => ({ actor: 'member who left the conversation' as const, read })),
  ...CONVERSATION_READS.map((read) => ({ actor: 'operator whose group is not on the conversation' as const, read })),
]

describe('reads: what the viewer may not see reads as nothing (null, an empty page), exactly as for an id that does not exist', () => {
  it.each(readRows.map((r) => [r.actor, r.read] as const))('%s: %s reads nothing, like a missing id', async (actor, read) => {
    const who = OUTSIDERS[actor]()
    const real = await reads[read](who, target)
    const phantom = phantomTarget()
    const missing = await reads[read](who, phantom)
    const nothing = NOTHING[read] ?? null
    expect(real.value).toEqual(nothing)
    expect(missing.value).toEqual(nothing)
    expect(asSeen(real.result, target)).toEqual(asSeen(missing.result, phantom))
  })

  it.each(Object.keys(OUTSIDERS) as OutsiderName[])(
    '%s: conversations never lists the conversation, with or without unreadOnly',
    async (actor) => {
      const who = OUTSIDERS[actor]()
      expect(await conversationIdsSeenBy(who)).not.toContain(target.conversationId)
      // unreadOnly starts from the tenant's unread messages (raw SQL): the visibility rule must still apply.
      expect(await conversationIdsSeenBy(who, true)).not.toContain(target.conversationId)
    },
  )

  it("another tenant's admin lists only their own tenant's conversations and groups", async () => {
    expect(await conversationIdsSeenBy(B.admin)).toEqual([bConversationId])
    const groups = (await run({ document: GroupsDocument, token: B.admin.token })).expectData().groups.map((g) => g.id)
    expect(groups).toContain(bGroupId)
    expect(groups).not.toContain(target.groupId)
    expect(groups).not.toContain(salesGroupId)
  })

  it.each([
    ['member', () => A.mallory],
    ['member participant', () => A.bob],
  ])('a %s may not list the groups (FORBIDDEN)', async (_name, who) => {
    ;(await run({ document: GroupsDocument, token: who().token })).expectError('FORBIDDEN')
  })
})

// ---------------------------------------------------------------------------------------------------
// Writes: refused with the code below, identical to the answer for missing ids, and nothing is written.

type WriteName =
  | 'updateConversation'
  | 'addParticipants'
  | 'removeParticipant'
  | 'leaveConversation'
  | 'sendMessage'
  | 'editMessage'
  | 'deleteMessage'
  | 'markRead'
  | 'markDelivered'
  | 'renameGroup'
  | 'addGroupMembers'
  | 'removeGroupMembers'

const writes: Record<WriteName, (who: Actor, at: Target) => Promise<ExecuteResult<unknown>>> = {
  updateConversation: (who, at) =>
    run({
      document: UpdateConversationDocument,
      token: who.token,
      variables: { input: { conversationId: at.conversationId, subject: 'taken over', status: 'CLOSED' } },
    }),
  addParticipants: (who, at) =>
    run({
      document: AddParticipantsDocument,
      token: who.token,
      variables: { input: { conversationId: at.conversationId, participantExternalIds: [who.addable] } },
    }),
  // "alice" exists in both tenants: in tenant B it is another user.
  removeParticipant: (who, at) =>
    run({
      document: RemoveParticipantDocument,
      token: who.token,
      variables: { input: { conversationId: at.conversationId, participantExternalId: 'alice' } },
    }),
  leaveConversation: (who, at) =>
    run({ document: LeaveConversationDocument, token: who.token, variables: { input: { conversationId: at.conversationId } } }),
  sendMessage: (who, at) =>
    run({
      document: SendMessageDocument,
      token: who.token,
      variables: { input: { conversationId: at.conversationId, body: 'injected', clientMessageId: randomUUID() } },
    }),
  editMessage: (who, at) =>
    run({ document: EditMessageDocument, token: who.token, variables: { input: { messageId: at.messageId, body: 'tampered' } } }),
  deleteMessage: (who, at) => run({ document: DeleteMessageDocument, token: who.token, variables: { input: { messageId: at.messageId } } }),
  markRead: (who, at) =>
    run({ document: MarkReadDocument, token: who.token, variables: { input: { conversationId: at.conversationId, seq: 2 } } }),
  markDelivered: (who, at) =>
    run({ document: MarkDeliveredDocument, token: who.token, variables: { input: { conversationId: at.conversationId, seq: 2 } } }),
  renameGroup: (who, at) =>
    run({ document: RenameGroupDocument, token: who.token, variables: { input: { groupId: at.groupId, name: 'taken over' } } }),
  addGroupMembers: (who, at) =>
    run({
      document: AddGroupMembersDocument,
      token: who.token,
      variables: { input: { groupId: at.groupId, memberExternalIds: [who.externalId] } },
    }),
  removeGroupMembers: (who, at) =>
    run({
      document: RemoveGroupMembersDocument,
      token: who.token,
      variables: { input: { groupId: at.groupId, memberExternalIds: ['op-in'] } },
    }),
}

const NF = 'NOT_FOUND'
const FB = 'FORBIDDEN'
type Code = typeof NF | typeof FB

const ACTORS = {
  ...OUTSIDERS,
  'member participant (not the owner)': () => A.bob,
  "operator who answers through the conversation's group": () => A.opIn,
  service: () => A.service,
} as const
type ActorName = keyof typeof ACTORS

/** Who gets which answer. Operations an actor is allowed to do are not listed. */
const writeMatrix: Record<ActorName, Partial<Record<WriteName, Code>>> = {
  'admin of another tenant': {
    updateConversation: NF,
    addParticipants: NF,
    removeParticipant: NF,
    leaveConversation: NF,
    sendMessage: NF,
    editMessage: NF,
    deleteMessage: NF,
    markRead: NF,
    markDelivered: NF,
    renameGroup: NF,
    addGroupMembers: NF,
    removeGroupMembers: NF,
  },
  'member who is not a participant': {
    updateConversation: NF,
    addParticipants: NF,
    removeParticipant: NF,
    leaveConversation: NF,
    sendMessage: NF,
    editMessage: NF,
    deleteMessage: NF,
    markRead: NF,
    markDelivered: NF,
    renameGroup: FB,
    addGroupMembers: FB,
    removeGroupMembers: FB,
  },
  'member who left the conversation': {
    updateConversation: NF,
    addParticipants: NF,
    removeParticipant: NF,
    leaveConversation: NF,
    sendMessage: NF,
    editMessage: NF,
    deleteMessage: NF,
    markRead: NF,
    markDelivered: NF,
    renameGroup: FB,
    addGroupMembers: FB,
    removeGroupMembers: FB,
  },
  'operator whose group is not on the conversation': {
    updateConversation: NF,
    addParticipants: NF,
    removeParticipant: NF,
    leaveConversation: NF,
    sendMessage: NF,
    editMessage: NF,
    deleteMessage: NF,
    markRead: NF,
    markDelivered: NF,
    renameGroup: FB,
    addGroupMembers: FB,
    removeGroupMembers: FB,
  },
  'member participant (not the owner)': {
    updateConversation: FB,
    addParticipants: FB,
    removeParticipant: FB,
    editMessage: FB,
    deleteMessage: FB,
    renameGroup: FB,
    addGroupMembers: FB,
    removeGroupMembers: FB,
  },
  "operator who answers through the conversation's group": {
    editMessage: FB,
    deleteMessage: FB,
    renameGroup: FB,
    addGroupMembers: FB,
    removeGroupMembers: FB,
  },
  service: {
    editMessage: FB,
    deleteMessage: FB,
    renameGroup: FB,
    addGroupMembers: FB,
    removeGroupMembers: FB,
  },
}

const writeRows = (Object.entries(writeMatrix) as Array<[ActorName, Partial<Record<WriteName, Code>>]>).flatMap(([actor, row]) =>
  (Object.entries(row) as Array<[WriteName, Code]>).map(([operation, code]) => ({ actor, operation, code })),
)

describe('writes: refused, answered as for a missing id, and nothing is written', () => {
  it.each(writeRows.map((r) => [r.actor, r.operation, r.code] as const))('%s: %s → %s', async (actor, operation, code) => {
    const who = ACTORS[actor]()
    const before = await stateOfTenantA()
    const real = await writes[operation](who, target)
    real.expectError(code)
    expect(real.data ?? null).toBeNull()
    if (code === NF) {
      // Not seeing it and it not existing are indistinguishable: same code, same message, same path.
      const phantom = phantomTarget()
      expect(asSeen(real, target)).toEqual(asSeen(await writes[operation](who, phantom), phantom))
    }
    expect(await stateOfTenantA()).toEqual(before)
  })

  it('another tenant\'s admin removing "alice" gets NOT_FOUND even though a user named alice exists in their own tenant', async () => {
    // removeParticipant resolves the externalId first: in tenant B it names B's alice, never A's.
    const before = await stateOfTenantA()
    ;(await writes.removeParticipant(B.admin, target)).expectError(NF)
    expect((await stateOfTenantA()).conversation?.participants.map((p) => p.user.externalId)).toContain('alice')
    expect(await stateOfTenantA()).toEqual(before)
  })
})

describe("creating with another tenant's ids: BAD_USER_INPUT, as for ids that do not exist, and nothing is created", () => {
  const createCases: Array<{ name: string; input: (at: Target) => CreateConversationInput }> = [
    {
      name: 'a GROUP with a user of the other tenant',
      input: (at) => ({ kind: 'GROUP', subject: 'x', participantExternalIds: [at.userExternalId] }),
    },
    { name: 'a DIRECT with a user of the other tenant', input: (at) => ({ kind: 'DIRECT', participantExternalIds: [at.userExternalId] }) },
    {
      name: "a SUPPORT with the other tenant's group",
      input: (at) => ({ kind: 'SUPPORT', participantExternalIds: ['alice'], groupIds: [at.groupId] }),
    },
    { name: "a GROUP with the other tenant's group", input: (at) => ({ kind: 'GROUP', subject: 'x', groupIds: [at.groupId] }) },
  ]

  it.each(createCases.map((c) => [c.name, c.input] as const))('createConversation: %s', async (_name, input) => {
    const beforeA = await stateOfTenantA()
    const beforeB = await conversationIdsSeenBy(B.admin)
    const real = await run({ document: CreateConversationDocument, token: B.admin.token, variables: { input: input(target) } })
    real.expectError('BAD_USER_INPUT')
    const phantom = phantomTarget()
    const missing = await run({ document: CreateConversationDocument, token: B.admin.token, variables: { input: input(phantom) } })
    expect(asSeen(real, target)).toEqual(asSeen(missing, phantom))
    expect(await conversationIdsSeenBy(B.admin)).toEqual(beforeB)
    expect(await stateOfTenantA()).toEqual(beforeA)
  })

  it('createConversation with an externalId both tenants have takes the user of the viewer’s tenant', async () => {
    const beforeA = await stateOfTenantA()
    const created = await run({
      document: CreateConversationDocument,
      token: B.admin.token,
      variables: { input: { kind: 'GROUP', subject: 'B again', participantExternalIds: ['alice'] } },
    })
    const participants = created.expectData().createConversation.conversation.participants.map((p) => p.user.id)
    expect(participants).toContain(B.alice.id)
    expect(participants).not.toContain(A.alice.id)
    expect(await stateOfTenantA()).toEqual(beforeA)
  })

  it('createGroup with users of the other tenant: BAD_USER_INPUT, as for unknown users, and no group is created', async () => {
    const beforeA = await stateOfTenantA()
    const groupsOfB = async () => (await run({ document: GroupsDocument, token: B.admin.token })).expectData().groups
    const beforeB = await groupsOfB()
    const create = (at: Target) =>
      run({
        document: CreateGroupDocument,
        token: B.admin.token,
        variables: { input: { name: `stolen ${randomUUID()}`, memberExternalIds: [at.userExternalId] } },
      })
    const real = await create(target)
    real.expectError('BAD_USER_INPUT')
    const phantom = phantomTarget()
    expect((await create(phantom)).errors?.map((e) => e.extensions)).toEqual(real.errors?.map((e) => e.extensions))
    expect(await groupsOfB()).toEqual(beforeB)
    expect(await stateOfTenantA()).toEqual(beforeA)
  })
})

describe('role-gated mutations: lower roles get FORBIDDEN and nothing is written', () => {
  it.each([
    ['member', () => A.mallory],
    ['operator', () => A.opIn],
    ['service', () => A.service],
  ])('%s: createGroup → FORBIDDEN', async (_role, who) => {
    const before = await stateOfTenantA()
    ;(
      await run({
        document: CreateGroupDocument,
        token: who().token,
        variables: { input: { name: `mine ${randomUUID()}`, memberExternalIds: [who().externalId] } },
      })
    ).expectError('FORBIDDEN')
    expect(await stateOfTenantA()).toEqual(before)
  })

  it.each([
    ['member', () => A.mallory],
    ['operator', () => A.opIn],
  ])('%s: upsertUser → FORBIDDEN (not even to promote themselves)', async (_role, who) => {
    const before = await stateOfTenantA()
    const attempts = [
      { externalId: who().externalId, displayName: 'Boss', role: 'ADMIN' as const },
      { externalId: 'alice', displayName: 'renamed', role: 'OPERATOR' as const },
      { externalId: `new-${randomUUID().slice(0, 8)}`, displayName: 'new', role: 'MEMBER' as const },
    ]
    for (const input of attempts)
      (await run({ document: UpsertUserDocument, token: who().token, variables: { input } })).expectError('FORBIDDEN')
    expect(await stateOfTenantA()).toEqual(before)
  })

  it("another tenant's admin upserting an externalId of tenant A creates their own user and leaves A's untouched", async () => {
    const before = await stateOfTenantA()
    const upserted = await run({
      document: UpsertUserDocument,
      token: B.admin.token,
      variables: { input: { externalId: 'erin', displayName: 'Hijacked', role: 'ADMIN' } },
    })
    const user = upserted.expectData().upsertUser.user
    expect(user).toMatchObject({ externalId: 'erin', displayName: 'Hijacked', role: 'ADMIN' })
    expect(user.id).not.toBe(A.erin.id)
    expect((await run({ document: UserNodeDocument, token: A.admin.token, variables: { id: user.id } })).expectData().node).toBeNull()
    expect((await run({ document: UserNodeDocument, token: A.admin.token, variables: { id: A.erin.id } })).expectData().node).toMatchObject(
      { displayName: 'erin', role: 'MEMBER' },
    )
    expect(await stateOfTenantA()).toEqual(before)
  })
})
