// Guarantee "Nothing half-written": input the API refuses is BAD_USER_INPUT, and the refusal leaves no
// trace: no timeline seq taken (lastSeq unchanged), no message or revision stored, no body changed, no
// read position moved, no conversation created, and a refused send's clientMessageId stays free.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client, type ExecuteResult } from './kit/execute.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  AddParticipantsDocument,
  ConversationDocument,
  ConversationSnapshotDocument,
  ConversationsDocument,
  CreateConversationDocument,
  CreateGroupDocument,
  EditMessageDocument,
  LeaveConversationDocument,
  MarkDeliveredDocument,
  MarkReadDocument,
  NodeDocument,
  RemoveParticipantDocument,
  SendMessageDocument,
  UpdateConversationDocument,
  type CreateConversationInput,
} from '../client/generated/graphql.js'

const MAX = 50
const globalId = (text: string) => Buffer.from(text).toString('base64')

let t: TestApp
let run: ReturnType<typeof client>
let admin: TestUser
let op: TestUser
let m1: TestUser
let m2: TestUser
let conversationId: string
let messageId: string
let supportGroupId: string

beforeAll(async () => {
  t = await startTestApp({ env: { MAX_MESSAGE_LENGTH: String(MAX) } })
  run = client(t.graphqlUrl)
  const w = tenantWorld(t.graphqlUrl, 'bad-input')
  ;[admin, op, m1, m2] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('m1'), w.user('m2'), w.user('m3')])
  supportGroupId = (
    await run({ document: CreateGroupDocument, token: admin.token, variables: { input: { name: 'Support', memberExternalIds: ['op'] } } })
  ).expectData().createGroup.group.id
  const created = await run({
    document: CreateConversationDocument,
    token: op.token,
    variables: { input: { kind: 'GROUP', subject: 'Team', participantExternalIds: ['m1', 'm2'] } },
  })
  conversationId = created.expectData().createConversation.conversation.id
  messageId = (await send({ body: 'the original' }, m1)).expectData().sendMessage.message.id
})
afterAll(() => t?.stop())

function send(input: { body?: string; clientMessageId?: string; conversationId?: string }, who: TestUser = m1) {
  return run({
    document: SendMessageDocument,
    token: who.token,
    variables: {
      input: {
        conversationId: input.conversationId ?? conversationId,
        body: input.body ?? 'hello',
        clientMessageId: input.clientMessageId ?? randomUUID(),
      },
    },
  })
}

/** The conversation as its admin reads it: lastSeq, participants' positions, messages with revisions. */
async function snapshot() {
  const conversation = (
    await run({ document: ConversationSnapshotDocument, token: admin.token, variables: { id: conversationId } })
  ).expectData().conversation
  expect(conversation).not.toBeNull()
  return conversation!
}

/** Every conversation of the tenant (the admin sees them all). */
async function conversationsOfTenant() {
  const result = await run({ document: ConversationsDocument, token: admin.token, variables: { first: 100 } })
  return result.expectData().conversations.edges.map((e) => e.node.id)
}

describe('sendMessage: bad input is BAD_USER_INPUT and takes no seq', () => {
  const messageIdAsConversationId = () => messageId
  it.each([
    ['an empty body', () => ({ body: '' })],
    ['a whitespace-only body', () => ({ body: ' \n\t  \u00a0' })],
    [`a body one character over MAX_MESSAGE_LENGTH (${MAX + 1} characters)`, () => ({ body: 'x'.repeat(MAX + 1) })],
    ['a body far over MAX_MESSAGE_LENGTH', () => ({ body: 'x'.repeat(10_001) })],
    ['an empty clientMessageId', () => ({ clientMessageId: '' })],
    ['a whitespace-only clientMessageId', () => ({ clientMessageId: '   ' })],
    ['a clientMessageId of 129 characters', () => ({ clientMessageId: 'c'.repeat(129) })],
    ["conversationId 'nope'", () => ({ conversationId: 'nope' })],
    ['an empty conversationId', () => ({ conversationId: '' })],
    ["conversationId base64('Conversation:123')", () => ({ conversationId: globalId('Conversation:123') })],
    ['a Message id as conversationId', () => ({ conversationId: messageIdAsConversationId() })],
    ['a User id as conversationId', () => ({ conversationId: m1.id })],
    ['a body with a NUL character', () => ({ body: 'before\u0000after' })],
    ['a clientMessageId with a NUL character', () => ({ clientMessageId: 'id\u0000' })],
  ])('%s', async (_case, input) => {
    const before = await snapshot()
    ;(await send(input())).expectError('BAD_USER_INPUT')
    const after = await snapshot()
    expect(after.lastSeq).toBe(before.lastSeq)
    expect(after).toEqual(before)
  })

  it(`a body of exactly MAX_MESSAGE_LENGTH (${MAX}) characters is accepted and stored whole`, async () => {
    const before = await snapshot()
    const body = 'y'.repeat(MAX)
    const message = (await send({ body })).expectData().sendMessage.message
    expect(message.body).toBe(body)
    expect((await snapshot()).lastSeq).toBe(before.lastSeq + 1)
  })

  it('a clientMessageId of exactly 128 characters is accepted', async () => {
    const clientMessageId = randomUUID().padEnd(128, 'z')
    const message = (await send({ clientMessageId })).expectData().sendMessage.message
    expect(message.clientMessageId).toBe(clientMessageId)
  })

  it('a refused send leaves no trace under its clientMessageId: the same id then sends normally (not CONFLICT, not a replay)', async () => {
    const clientMessageId = randomUUID()
    const before = await snapshot()
    ;(await send({ body: 'x'.repeat(MAX + 1), clientMessageId })).expectError('BAD_USER_INPUT')
    ;(await send({ body: '   ', clientMessageId })).expectError('BAD_USER_INPUT')
    const message = (await send({ body: 'fits', clientMessageId })).expectData().sendMessage.message
    expect(message).toMatchObject({ body: 'fits', clientMessageId, seq: before.lastSeq + 1 })
    expect((await snapshot()).lastSeq).toBe(before.lastSeq + 1)
  })
})

describe('the default MAX_MESSAGE_LENGTH is 10,000 characters', () => {
  let d: TestApp
  beforeAll(async () => {
    d = await startTestApp()
  })
  afterAll(() => d?.stop())

  it('10,000 characters are accepted, 10,001 are BAD_USER_INPUT and take no seq', async () => {
    const runD = client(d.graphqlUrl)
    const w = tenantWorld(d.graphqlUrl, 'default-limit')
    const [x, y] = await Promise.all([w.user('x'), w.user('y')])
    const id = (
      await runD({
        document: CreateConversationDocument,
        token: x.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['y'] } },
      })
    ).expectData().createConversation.conversation.id
    const sendD = (body: string) =>
      runD({
        document: SendMessageDocument,
        token: x.token,
        variables: { input: { conversationId: id, body, clientMessageId: randomUUID() } },
      })
    const lastSeq = async () =>
      (await runD({ document: ConversationDocument, token: y.token, variables: { id } })).expectData().conversation!.lastSeq
    const before = await lastSeq()
    ;(await sendD('z'.repeat(10_001))).expectError('BAD_USER_INPUT')
    expect(await lastSeq()).toBe(before)
    expect((await sendD('z'.repeat(10_000))).expectData().sendMessage.message.body).toHaveLength(10_000)
    expect(await lastSeq()).toBe(before + 1)
  })
})

describe('editMessage: a bad body is BAD_USER_INPUT; body, revisions and lastSeq are unchanged', () => {
  it.each([
    ['an empty body', ''],
    ['a whitespace-only body', '  \n '],
    [`a body over MAX_MESSAGE_LENGTH (${MAX + 1} characters)`, 'x'.repeat(MAX + 1)],
  ])('%s', async (_case, body) => {
    const before = await snapshot()
    ;(await run({ document: EditMessageDocument, token: m1.token, variables: { input: { messageId, body } } })).expectError(
      'BAD_USER_INPUT',
    )
    const after = await snapshot()
    expect(after.messages.edges.find((e) => e.node.id === messageId)?.node).toMatchObject({
      body: 'the original',
      editedAt: null,
      revisions: [],
    })
    expect(after).toEqual(before)
  })
})

describe('createConversation: bad input is BAD_USER_INPUT and nothing is created', () => {
  it.each<[string, () => CreateConversationInput]>([
    [
      'an unknown participantExternalId next to a known one',
      () => ({ kind: 'GROUP', subject: 'x', participantExternalIds: ['m2', `ghost-${randomUUID()}`] }),
    ],
    ['DIRECT with three users', () => ({ kind: 'DIRECT', participantExternalIds: ['m2', 'm3'] })],
    ['DIRECT with nobody else', () => ({ kind: 'DIRECT', participantExternalIds: [] })],
    ['DIRECT with a group', () => ({ kind: 'DIRECT', participantExternalIds: ['m2'], groupIds: [supportGroupId] })],
    ['SUPPORT without groups', () => ({ kind: 'SUPPORT', participantExternalIds: ['m2'] })],
    ['SUPPORT with a group id that names nothing', () => ({ kind: 'SUPPORT', groupIds: [globalId(`Group:${randomUUID()}`)] })],
    ["SUPPORT with a malformed group id ('nope')", () => ({ kind: 'SUPPORT', groupIds: ['nope'] })],
    ['GROUP with a Conversation id in groupIds', () => ({ kind: 'GROUP', participantExternalIds: ['m2'], groupIds: [conversationId] })],
    ['GROUP with nobody else', () => ({ kind: 'GROUP', subject: 'alone' })],
    ['a subject over 200 characters', () => ({ kind: 'GROUP', subject: 's'.repeat(201), participantExternalIds: ['m2'] })],
    ['contextType without contextId', () => ({ kind: 'GROUP', participantExternalIds: ['m2'], contextType: 'order' })],
  ])('%s', async (_case, input) => {
    const before = await conversationsOfTenant()
    const seenByM2 = async () =>
      (await run({ document: ConversationsDocument, token: m2.token, variables: { first: 100 } }))
        .expectData()
        .conversations.edges.map((e) => e.node.id)
    const m2Before = await seenByM2()
    ;(await run({ document: CreateConversationDocument, token: m1.token, variables: { input: input() } })).expectError('BAD_USER_INPUT')
    expect(await conversationsOfTenant()).toEqual(before)
    expect(await seenByM2()).toEqual(m2Before)
  })
})

describe('participants and conversation updates: bad input is BAD_USER_INPUT and the conversation is unchanged', () => {
  it.each<[string, () => Promise<ExecuteResult<unknown>>]>([
    [
      'addParticipants with an unknown externalId next to a known one',
      () =>
        run({
          document: AddParticipantsDocument,
          token: op.token,
          variables: { input: { conversationId, participantExternalIds: ['m3', `ghost-${randomUUID()}`] } },
        }),
    ],
    [
      'addParticipants with nobody',
      () =>
        run({ document: AddParticipantsDocument, token: op.token, variables: { input: { conversationId, participantExternalIds: [] } } }),
    ],
    [
      'removeParticipant of a user who is not a participant',
      () =>
        run({
          document: RemoveParticipantDocument,
          token: op.token,
          variables: { input: { conversationId, participantExternalId: 'm3' } },
        }),
    ],
    [
      'removeParticipant of an unknown user',
      () =>
        run({
          document: RemoveParticipantDocument,
          token: op.token,
          variables: { input: { conversationId, participantExternalId: `ghost-${randomUUID()}` } },
        }),
    ],
    [
      'updateConversation with a subject over 200 characters',
      () =>
        run({
          document: UpdateConversationDocument,
          token: op.token,
          variables: { input: { conversationId, subject: 's'.repeat(201), status: 'CLOSED' } },
        }),
    ],
  ])('%s', async (_case, attempt) => {
    const before = await snapshot()
    ;(await attempt()).expectError('BAD_USER_INPUT')
    const after = await snapshot()
    expect(after.lastSeq).toBe(before.lastSeq)
    expect(after).toEqual(before)
  })
})

describe('markRead / markDelivered: a negative seq is BAD_USER_INPUT and no position moves', () => {
  it.each([
    ['markRead', -1],
    ['markRead', -1000],
    ['markDelivered', -1],
  ] as const)('%s with seq %i', async (operation, seq) => {
    const before = await snapshot()
    const input = { conversationId, seq }
    const result =
      operation === 'markRead'
        ? await run({ document: MarkReadDocument, token: m2.token, variables: { input } })
        : await run({ document: MarkDeliveredDocument, token: m2.token, variables: { input } })
    result.expectError('BAD_USER_INPUT')
    const after = await snapshot()
    expect(after.participants.find((p) => p.user.externalId === 'm2')).toMatchObject({ lastReadSeq: 0, lastDeliveredSeq: 0 })
    expect(after).toEqual(before)
  })
})

describe('a malformed conversation id is BAD_USER_INPUT for every operation, and nothing is written', () => {
  const badIds: Array<[string, () => string]> = [
    ["'nope'", () => 'nope'],
    ["base64('Conversation:123')", () => globalId('Conversation:123')],
    ['a Message id', () => messageId],
  ]
  const operations: Record<string, (id: string) => Promise<ExecuteResult<unknown>>> = {
    sendMessage: (id) => send({ conversationId: id }),
    updateConversation: (id) =>
      run({ document: UpdateConversationDocument, token: op.token, variables: { input: { conversationId: id, subject: 'renamed' } } }),
    addParticipants: (id) =>
      run({
        document: AddParticipantsDocument,
        token: op.token,
        variables: { input: { conversationId: id, participantExternalIds: ['m3'] } },
      }),
    removeParticipant: (id) =>
      run({
        document: RemoveParticipantDocument,
        token: op.token,
        variables: { input: { conversationId: id, participantExternalId: 'm2' } },
      }),
    leaveConversation: (id) => run({ document: LeaveConversationDocument, token: m2.token, variables: { input: { conversationId: id } } }),
    markRead: (id) => run({ document: MarkReadDocument, token: m2.token, variables: { input: { conversationId: id, seq: 1 } } }),
    markDelivered: (id) => run({ document: MarkDeliveredDocument, token: m2.token, variables: { input: { conversationId: id, seq: 1 } } }),
  }
  const rows = Object.keys(operations).flatMap((operation) => badIds.map(([name, id]) => [operation, name, id] as const))

  it.each(rows)('%s with conversationId %s', async (operation, _name, id) => {
    const before = await snapshot()
    ;(await operations[operation]!(id())).expectError('BAD_USER_INPUT')
    expect(await snapshot()).toEqual(before)
  })

  it.each(badIds.slice(0, 2))('conversation(id: %s) is BAD_USER_INPUT', async (_name, id) => {
    ;(await run({ document: ConversationDocument, token: m1.token, variables: { id: id() } })).expectError('BAD_USER_INPUT')
  })
})

describe('other malformed input is BAD_USER_INPUT, never an internal error', () => {
  it('a malformed cursor', async () => {
    const after = globalId('GPC:S:not-a-uuid')
    ;(await run({ document: ConversationsDocument, token: m1.token, variables: { after } })).expectError('BAD_USER_INPUT')
  })

  it('a variable of the wrong type', async () => {
    ;(await run({ document: ConversationsDocument, token: m1.token, variables: { first: 'ten' as never } })).expectError('BAD_USER_INPUT')
  })

  it('a POST body of undeclared size (chunked) is refused with 411 before it is read', async () => {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${m1.token}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"query":"{ viewer { user { id } } }"}'))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(411)
  })

  it('node() with a well-formed id of a type that is not a Node is null', async () => {
    const result = await run({ document: NodeDocument, token: m1.token, variables: { id: globalId(`Tenant:${randomUUID()}`) } })
    expect(result.expectData().node).toBeNull()
  })

  it('REST: a query parameter of the wrong type is 400 BAD_USER_INPUT', async () => {
    const response = await fetch(`${t.url}/rest/messages?conversationId=${encodeURIComponent(conversationId)}&afterSeq=abc`, {
      headers: { authorization: `Bearer ${m1.token}` },
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe(
      'BAD_USER_INPUT',
    )
  })
})
