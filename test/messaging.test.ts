// Conversations and messages through the public API, against real PostgreSQL: gap-free seqs,
// idempotent sends, unread counts, edits and deletes, DIRECT reuse, groups and SUPPORT.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { sql } from './kit/outbox.js'
import { startServerProcess, type ServerProcess } from './kit/process.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  UpdateTenantSettingsDocument,
  AddParticipantsDocument,
  ConversationDocument,
  ConversationsDocument,
  CreateConversationDocument,
  ConversationGroupsDocument,
  CreateGroupDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  LeaveConversationDocument,
  MarkDeliveredDocument,
  MarkReadDocument,
  MessageNodeDocument,
  MessagesDocument,
  SendMessageDocument,
  UpdateConversationDocument,
} from '../client/generated/graphql.js'

let a: TestApp
let b: ServerProcess
let runA: ReturnType<typeof client>
let runB: ReturnType<typeof client>
beforeAll(async () => {
  ;[a, b] = await Promise.all([startTestApp(), startServerProcess()])
  runA = client(a.graphqlUrl)
  runB = client(b.graphqlUrl)
})
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
})

async function groupConversation(owner: TestUser, members: TestUser[]) {
  const { createConversation } = (
    await runA({
      document: CreateConversationDocument,
      token: owner.token,
      variables: { input: { kind: 'GROUP', subject: 'Team', participantExternalIds: members.map((m) => m.externalId) } },
    })
  ).expectData()
  return createConversation.conversation
}

const send = (run: ReturnType<typeof client>, user: TestUser, conversationId: string, body: string, clientMessageId: string) =>
  run({ document: SendMessageDocument, token: user.token, variables: { input: { conversationId, body, clientMessageId } } })

const lastSeq = async (user: TestUser, id: string) =>
  (await runA({ document: ConversationDocument, token: user.token, variables: { id } })).expectData().conversation!.lastSeq

describe('conversations', () => {
  it('an operator creates a group conversation with two members; everyone sees it, lastSeq starts at 0', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1, m2] = await Promise.all([w.user('op', 'operator'), w.user('m1'), w.user('m2')])
    const conversation = await groupConversation(op, [m1, m2])
    expect(conversation).toMatchObject({ kind: 'GROUP', subject: 'Team', lastSeq: 0, unreadCount: 0, viewerCanSend: true })
    expect(conversation.participants.map((p) => [p.user.externalId, p.role]).sort()).toEqual([
      ['m1', 'MEMBER'],
      ['m2', 'MEMBER'],
      ['op', 'OWNER'],
    ])
    for (const user of [m1, m2])
      expect(
        (await runB({ document: ConversationDocument, token: user.token, variables: { id: conversation.id } })).expectData().conversation
          ?.id,
      ).toBe(conversation.id)
  })

  it('a DIRECT conversation between the same two users is reused, not duplicated, even when created concurrently', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [x, y] = await Promise.all([w.user('x'), w.user('y')])
    const results = await Promise.all([
      runA({
        document: CreateConversationDocument,
        token: x.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['y'] } },
      }),
      runB({
        document: CreateConversationDocument,
        token: y.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['x'] } },
      }),
      runA({
        document: CreateConversationDocument,
        token: y.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['x'] } },
      }),
    ])
    const ids = results.map((r) => r.expectData().createConversation.conversation.id)
    expect(new Set(ids).size).toBe(1)
    expect(results.filter((r) => r.expectData().createConversation.created)).toHaveLength(1)
  })

  it('reusing a DIRECT conversation brings back a user who had left it', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [x] = await Promise.all([w.user('x'), w.user('y')])
    const first = (
      await runA({
        document: CreateConversationDocument,
        token: x.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['y'] } },
      })
    ).expectData()
    const id = first.createConversation.conversation.id
    ;(await runA({ document: LeaveConversationDocument, token: x.token, variables: { input: { conversationId: id } } })).expectData()
    ;(await send(runA, x, id, 'hello?', 'gone')).expectError('NOT_FOUND')
    const again = (
      await runB({
        document: CreateConversationDocument,
        token: x.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['y'] } },
      })
    ).expectData()
    expect(again.createConversation).toMatchObject({ created: false, conversation: { id, lastSeq: 2, viewerCanSend: true } })
    expect((await send(runA, x, id, 'back', 'back')).expectData().sendMessage.message.seq).toBe(3)
  })

  it("a SUPPORT conversation's groups are visible to its participants, their members only to those who may read groups", async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [admin, customer, op] = await Promise.all([w.user('admin', 'admin'), w.user('customer'), w.user('op', 'operator')])
    const { createGroup } = (
      await runA({ document: CreateGroupDocument, token: admin.token, variables: { input: { name: 'Agents', memberExternalIds: ['op'] } } })
    ).expectData()
    const { createConversation } = (
      await runA({
        document: CreateConversationDocument,
        token: customer.token,
        variables: { input: { kind: 'SUPPORT', groupIds: [createGroup.group.id] } },
      })
    ).expectData()
    const id = createConversation.conversation.id
    const asCustomer = (await runA({ document: ConversationGroupsDocument, token: customer.token, variables: { id } })).expectData()
      .conversation!
    expect(asCustomer.groups).toEqual([{ group: { name: 'Agents', members: [] } }])
    const asOperator = (await runA({ document: ConversationGroupsDocument, token: op.token, variables: { id } })).expectData().conversation!
    expect(asOperator.groups[0]!.group.members.map((m) => m.user.externalId)).toEqual(['op'])
  })

  it('a SUPPORT conversation joins an end user and an operator group; under ANY_OPERATOR every operator of the group can answer', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [admin, op1, op2, customer, outsider] = await Promise.all([
      w.user('admin', 'admin'),
      w.user('op1', 'operator'),
      w.user('op2', 'operator'),
      w.user('customer'),
      w.user('op3', 'operator'),
    ])
    // (The default, ASSIGNEE_ONLY, lets one operator answer: test/support.test.ts.)
    ;(
      await runA({ document: UpdateTenantSettingsDocument, token: admin.token, variables: { input: { replyPolicy: 'ANY_OPERATOR' } } })
    ).expectData()
    const { createGroup } = (
      await runA({
        document: CreateGroupDocument,
        token: admin.token,
        variables: { input: { name: 'Support', memberExternalIds: ['op1', 'op2'] } },
      })
    ).expectData()
    const { createConversation } = (
      await runA({
        document: CreateConversationDocument,
        token: customer.token,
        variables: { input: { kind: 'SUPPORT', subject: 'Help', groupIds: [createGroup.group.id], contextType: 'order', contextId: '42' } },
      })
    ).expectData()
    const id = createConversation.conversation.id
    expect(createConversation.conversation.groups.map((g) => g.group.name)).toEqual(['Support'])
    ;(await send(runA, customer, id, 'Where is my order?', 'c-1')).expectData()
    // Two operators answer at once, twice each, on two nodes, joining as they write: all land, in
    // distinct seqs, nothing duplicated, no deadlock.
    const answers = await Promise.all([
      send(runA, op1, id, 'Looking', 'op1-1'),
      send(runB, op2, id, 'On it', 'op2-1'),
      send(runB, op1, id, 'Found it', 'op1-2'),
      send(runA, op2, id, 'Thanks', 'op2-2'),
    ])
    const seqs = answers.map((r) => r.expectData().sendMessage.message.seq)
    expect(new Set(seqs).size).toBe(4)
    // Operators who answered joined (PARTICIPANT_JOINED takes a seq each): 1 message + 2 joins + 4 messages.
    const conversation = (await runA({ document: ConversationDocument, token: customer.token, variables: { id } })).expectData()
      .conversation!
    expect(conversation.lastSeq).toBe(7)
    expect(conversation.participants.map((p) => p.user.externalId).sort()).toEqual(['customer', 'op1', 'op2'])
    expect(conversation.unreadCount).toBe(4)
    // An operator outside the group does not see it; filters by context find it.
    expect((await runA({ document: ConversationDocument, token: outsider.token, variables: { id } })).expectData().conversation).toBeNull()
    const byContext = (
      await runA({ document: ConversationsDocument, token: op1.token, variables: { filter: { contextType: 'order', contextId: '42' } } })
    ).expectData()
    expect(byContext.conversations.edges.map((e) => e.node.id)).toEqual([id])
  })

  it('updates, joins and leaves take seqs on the timeline', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [owner, m1, m2] = await Promise.all([w.user('owner'), w.user('m1'), w.user('m2')])
    const conversation = await groupConversation(owner, [m1])
    const updated = (
      await runA({
        document: UpdateConversationDocument,
        token: owner.token,
        variables: { input: { conversationId: conversation.id, subject: 'Renamed', status: 'CLOSED' } },
      })
    ).expectData()
    expect(updated.updateConversation.conversation).toMatchObject({ subject: 'Renamed', status: 'CLOSED', version: 2, lastSeq: 1 })
    const added = (
      await runA({
        document: AddParticipantsDocument,
        token: owner.token,
        variables: { input: { conversationId: conversation.id, participantExternalIds: ['m2'] } },
      })
    ).expectData()
    expect(added.addParticipants.conversation.lastSeq).toBe(2)
    // A plain member may not add people to someone else's group conversation.
    ;(
      await runA({
        document: AddParticipantsDocument,
        token: m1.token,
        variables: { input: { conversationId: conversation.id, participantExternalIds: ['owner'] } },
      })
    ).expectError('FORBIDDEN')
    const left = (
      await runA({ document: LeaveConversationDocument, token: m2.token, variables: { input: { conversationId: conversation.id } } })
    ).expectData()
    expect(left.leaveConversation.conversation.lastSeq).toBe(3)
    expect(
      (await runA({ document: ConversationDocument, token: m2.token, variables: { id: conversation.id } })).expectData().conversation,
    ).toBeNull()
    ;(await send(runA, m2, conversation.id, 'still here?', 'm2-1')).expectError('NOT_FOUND')
  })
})

describe('guarantee: gap-free order', () => {
  it('60 concurrent sends from three users over two server processes get 60 contiguous seqs', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1, m2] = await Promise.all([w.user('op', 'operator'), w.user('m1'), w.user('m2')])
    const conversation = await groupConversation(op, [m1, m2])
    const users = [op, m1, m2]
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => send(i % 2 ? runA : runB, users[i % 3]!, conversation.id, `message ${i}`, `burst-${i}`)),
    )
    const seqs = results.map((r) => r.expectData().sendMessage.message.seq).sort((x, y) => x - y)
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
    expect(await lastSeq(op, conversation.id)).toBe(60)
    // Reading the messages back gives the same seqs in order, with no gap and no duplicate.
    const page = (
      await runB({ document: MessagesDocument, token: m1.token, variables: { conversationId: conversation.id, first: 100 } })
    ).expectData()
    expect(page.conversation!.messages.edges.map((e) => e.node.seq)).toEqual(seqs)
  })
})

describe('guarantee: idempotent send', () => {
  it("a member's retried send on the other process returns the original message and creates nothing", async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const first = (await send(runA, m1, conversation.id, 'hello', 'retry-me')).expectData().sendMessage.message
    const retry = (await send(runB, m1, conversation.id, 'hello', 'retry-me')).expectData().sendMessage.message
    expect(retry).toEqual(first)
    expect(await lastSeq(op, conversation.id)).toBe(1)
  })

  it('ten identical sends at once, on both processes, make one message', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => send(i % 2 ? runA : runB, m1, conversation.id, 'once', 'same-id')),
    )
    const ids = new Set(results.map((r) => r.expectData().sendMessage.message.id))
    expect(ids.size).toBe(1)
    expect(await lastSeq(op, conversation.id)).toBe(1)
  })

  it('a reused clientMessageId with a different body is a CONFLICT, and the original is untouched', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const original = (await send(runA, m1, conversation.id, 'first', 'dup')).expectData().sendMessage.message
    ;(await send(runB, m1, conversation.id, 'second', 'dup')).expectError('CONFLICT')
    const node = (await runA({ document: MessageNodeDocument, token: m1.token, variables: { id: original.id } })).expectData().node
    expect(node).toMatchObject({ body: 'first' })
    expect(await lastSeq(op, conversation.id)).toBe(1)
  })

  it('a retry after the message was edited still returns it (compared with the body as sent)', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const original = (await send(runA, m1, conversation.id, 'as sent', 'edit-then-retry')).expectData().sendMessage.message
    ;(
      await runA({ document: EditMessageDocument, token: m1.token, variables: { input: { messageId: original.id, body: 'edited' } } })
    ).expectData()
    const retry = (await send(runB, m1, conversation.id, 'as sent', 'edit-then-retry')).expectData().sendMessage.message
    expect(retry).toMatchObject({ id: original.id, seq: 1, body: 'edited' })
    ;(await send(runB, m1, conversation.id, 'edited', 'edit-then-retry')).expectError('CONFLICT')
    expect(await lastSeq(op, conversation.id)).toBe(2)
  })

  it('the same clientMessageId from another sender is another message', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const x = (await send(runA, m1, conversation.id, 'hi', 'shared')).expectData().sendMessage.message
    const y = (await send(runA, op, conversation.id, 'hi', 'shared')).expectData().sendMessage.message
    expect(x.id).not.toBe(y.id)
  })
})

describe('guarantee: unread counts that cannot drift', () => {
  it('counts messages by others after the read position, moves only forward, follows deletes, has no cap', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const unread = async (user: TestUser) =>
      (await runA({ document: ConversationDocument, token: user.token, variables: { id: conversation.id } })).expectData().conversation!
        .unreadCount
    for (let i = 0; i < 300; i += 30)
      await Promise.all(Array.from({ length: 30 }, (_, j) => send(runA, op, conversation.id, `m${i + j}`, `u-${i + j}`)))
    expect(await unread(m1)).toBe(300)
    expect(await unread(op)).toBe(0) // their own messages
    const read = (
      await runA({ document: MarkReadDocument, token: m1.token, variables: { input: { conversationId: conversation.id, seq: 250 } } })
    ).expectData()
    expect(read.markRead).toMatchObject({ lastReadSeq: 250, lastDeliveredSeq: 250, conversation: { unreadCount: 50 } })
    // Backwards changes nothing, and is not an error.
    const back = (
      await runA({ document: MarkReadDocument, token: m1.token, variables: { input: { conversationId: conversation.id, seq: 10 } } })
    ).expectData()
    expect(back.markRead.lastReadSeq).toBe(250)
    // Beyond lastSeq is clamped.
    const ahead = (
      await runB({
        document: MarkDeliveredDocument,
        token: m1.token,
        variables: { input: { conversationId: conversation.id, seq: 10_000 } },
      })
    ).expectData()
    expect(ahead.markDelivered).toMatchObject({ lastReadSeq: 250, lastDeliveredSeq: 300 })
    // Deleting an unread message lowers the count; deleting a read one does not.
    const page = (
      await runA({ document: MessagesDocument, token: op.token, variables: { conversationId: conversation.id, last: 1 } })
    ).expectData()
    const newest = page.conversation!.messages.edges[0]!.node
    ;(await runA({ document: DeleteMessageDocument, token: op.token, variables: { input: { messageId: newest.id } } })).expectData()
    expect(await unread(m1)).toBe(49)
    ;(
      await runA({ document: MarkReadDocument, token: m1.token, variables: { input: { conversationId: conversation.id, seq: 10_000 } } })
    ).expectData()
    expect(await unread(m1)).toBe(0)
  })

  it('unreadOnly lists only conversations with unread messages', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const quiet = await groupConversation(op, [m1])
    const busy = await groupConversation(op, [m1])
    ;(await send(runA, op, busy.id, 'ping', 'p1')).expectData()
    const list = (
      await runA({ document: ConversationsDocument, token: m1.token, variables: { filter: { unreadOnly: true } } })
    ).expectData()
    expect(list.conversations.edges.map((e) => e.node.id)).toEqual([busy.id])
    const all = (await runA({ document: ConversationsDocument, token: m1.token })).expectData()
    expect(all.conversations.edges.map((e) => e.node.id)).toEqual([busy.id, quiet.id])
    expect(all.conversations.edges[0]!.node.lastMessage).toMatchObject({ body: 'ping', seq: 1, sender: { externalId: 'op' } })
  })
})

describe('edits and deletes', () => {
  it('only the sender edits; previous versions stay readable; an edit takes a seq', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const message = (await send(runA, m1, conversation.id, 'helo', 'e1')).expectData().sendMessage.message
    ;(
      await runA({ document: EditMessageDocument, token: op.token, variables: { input: { messageId: message.id, body: 'hacked' } } })
    ).expectError('FORBIDDEN')
    const edited = (
      await runA({ document: EditMessageDocument, token: m1.token, variables: { input: { messageId: message.id, body: 'hello' } } })
    ).expectData().editMessage.message
    expect(edited).toMatchObject({ body: 'hello', seq: 1, revisions: [{ body: 'helo' }] })
    expect(edited.editedAt).not.toBeNull()
    expect(await lastSeq(op, conversation.id)).toBe(2)
  })

  it('the sender or an admin deletes; the message stays as a tombstone without its body; a retried send returns the tombstone', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [admin, op, m1] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const message = (await send(runA, m1, conversation.id, 'secret', 'd1')).expectData().sendMessage.message
    ;(
      await runA({ document: EditMessageDocument, token: m1.token, variables: { input: { messageId: message.id, body: 'secret v2' } } })
    ).expectData()
    ;(await runA({ document: DeleteMessageDocument, token: op.token, variables: { input: { messageId: message.id } } })).expectError(
      'FORBIDDEN',
    )
    const deleted = (
      await runA({ document: DeleteMessageDocument, token: admin.token, variables: { input: { messageId: message.id } } })
    ).expectData().deleteMessage.message
    expect(deleted).toMatchObject({ id: message.id, seq: 1, body: null, revisions: [] })
    expect(deleted.deletedAt).not.toBeNull()
    ;(
      await runA({ document: EditMessageDocument, token: m1.token, variables: { input: { messageId: message.id, body: 'back' } } })
    ).expectError('BAD_USER_INPUT')
    const retried = (await send(runB, m1, conversation.id, 'secret', 'd1')).expectData().sendMessage.message
    expect(retried).toMatchObject({ id: message.id, body: null })
    // Deleting twice writes nothing more: send, edit, delete = 3 seqs.
    ;(await runA({ document: DeleteMessageDocument, token: m1.token, variables: { input: { messageId: message.id } } })).expectData()
    expect(await lastSeq(op, conversation.id)).toBe(3)
  })
})

describe('logs', () => {
  it('message bodies never reach the logs, even when a send fails', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    const secret = `body-${crypto.randomUUID()}`
    ;(await send(runA, m1, conversation.id, secret, 'log-1')).expectData()
    ;(await send(runA, m1, conversation.id, `${secret}-changed`, 'log-1')).expectError('CONFLICT')
    const logs = a.logs.join('')
    expect(logs).toContain('"operationName":"SendMessage"')
    expect(logs).not.toContain(secret)
  })
})

describe('concurrent edits and deletes', () => {
  it('an edit racing a delete never brings back the deleted body, and a message is deleted once', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [admin, op, m1] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    for (let round = 0; round < 8; round++) {
      const message = (await send(runA, m1, conversation.id, `abusive ${round}`, `race-${round}`)).expectData().sendMessage.message
      await Promise.all([
        runA({ document: DeleteMessageDocument, token: admin.token, variables: { input: { messageId: message.id } } }),
        runB({
          document: EditMessageDocument,
          token: m1.token,
          variables: { input: { messageId: message.id, body: `still abusive ${round}` } },
        }),
        runB({ document: DeleteMessageDocument, token: m1.token, variables: { input: { messageId: message.id } } }),
      ])
      const node = (await runA({ document: MessageNodeDocument, token: op.token, variables: { id: message.id } })).expectData().node
      expect(node).toMatchObject({ body: null, revisions: [] })
    }
    // Per round: one send, at most one edit, exactly one delete.
    const deleted = await sql<{ n: number }>(
      `select count(*)::int as n from "ConversationEvent" where "conversationId" = $1 and type = 'MESSAGE_DELETED'`,
      [Buffer.from(conversation.id, 'base64').toString().split(':')[1]!],
    )
    expect(deleted[0]?.n).toBe(8)
  })
})

describe('paging', () => {
  it('messages page forward and backward with cursors, and afterSeq returns only what came later', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const conversation = await groupConversation(op, [m1])
    for (let i = 1; i <= 7; i++) (await send(runA, op, conversation.id, `n${i}`, `n${i}`)).expectData()
    const vars = { conversationId: conversation.id }
    const first = (await runA({ document: MessagesDocument, token: m1.token, variables: { ...vars, first: 3 } })).expectData().conversation!
      .messages
    expect(first.edges.map((e) => e.node.seq)).toEqual([1, 2, 3])
    expect(first.pageInfo.hasNextPage).toBe(true)
    const second = (
      await runA({ document: MessagesDocument, token: m1.token, variables: { ...vars, first: 3, after: first.pageInfo.endCursor } })
    ).expectData().conversation!.messages
    expect(second.edges.map((e) => e.node.seq)).toEqual([4, 5, 6])
    const last = (await runA({ document: MessagesDocument, token: m1.token, variables: { ...vars, last: 2 } })).expectData().conversation!
      .messages
    expect(last.edges.map((e) => e.node.seq)).toEqual([6, 7])
    const catchUp = (await runA({ document: MessagesDocument, token: m1.token, variables: { ...vars, afterSeq: 5 } })).expectData()
      .conversation!.messages
    expect(catchUp.edges.map((e) => e.node.seq)).toEqual([6, 7])
  })

  it('conversations page in order of last activity', async () => {
    const w = tenantWorld(a.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await groupConversation(op, [m1])).id)
    ;(await send(runA, op, ids[0]!, 'bump', 'bump')).expectData()
    const page1 = (await runA({ document: ConversationsDocument, token: m1.token, variables: { first: 3 } })).expectData().conversations
    const page2 = (
      await runA({ document: ConversationsDocument, token: m1.token, variables: { first: 3, after: page1.pageInfo.endCursor } })
    ).expectData().conversations
    expect([...page1.edges, ...page2.edges].map((e) => e.node.id)).toEqual([ids[0], ids[4], ids[3], ids[2], ids[1]])
    expect(page2.pageInfo.hasNextPage).toBe(false)
  })
})
