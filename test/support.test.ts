// The support inbox's guarantees, through the public API, over two server processes sharing PostgreSQL:
// claims and assignments are compare-and-set (exactly one winner across nodes), capacity holds, one
// responder at a time under ASSIGNEE_ONLY (nothing written when refused, admin overrides recorded),
// internal notes never reach an end user by any path, the lifecycle reopens on the end user's message,
// and nobody outside the conversation's groups can act on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisUrl, startTestApp, type TestApp } from './kit/app.js'
import { startServerProcess, type ServerProcess } from './kit/process.js'
import { client } from './kit/execute.js'
import { subscribe } from './kit/subscribe.js'
import { activeSubscriptions, liveSubscriptions } from './kit/ready.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  AssignConversationDocument,
  ClaimConversationDocument,
  CloseConversationDocument,
  CreateConversationDocument,
  CreateGroupDocument,
  InboxEventsDocument,
  NodeDocument,
  SendNoteDocument,
  SetTypingDocument,
  SetViewingDocument,
  SupportSignalsDocument,
  SupportQueueDocument,
  SupportTimelineDocument,
  SupportViewDocument,
  TransferConversationDocument,
  UpdateTenantSettingsDocument,
} from '../client/generated/graphql.js'

let a: TestApp
let b: ServerProcess
let runA: ReturnType<typeof client>
let runB: ReturnType<typeof client>
beforeAll(async () => {
  // Live streams across the two processes need the shared Redis (CI always has it).
  const redis = redisUrl()
  ;[a, b] = await Promise.all([startTestApp({ redis: redis ?? false }), startServerProcess({ redisUrl: redis })])
  runA = client(a.graphqlUrl)
  runB = client(b.graphqlUrl)
})
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()])
})

/** A tenant with an admin, an end user, operators in "support" and one in "billing", and a SUPPORT conversation. */
async function desk(operators = 2) {
  const w = tenantWorld(a.graphqlUrl)
  const admin = await w.user('admin', 'admin')
  const ops = await Promise.all(Array.from({ length: operators }, (_, i) => w.user(`op${i}`, 'operator')))
  const [user, outsider] = await Promise.all([w.user('user'), w.user('billing-op', 'operator')])
  const group = (name: string, members: string[]) =>
    runA({ document: CreateGroupDocument, token: admin.token, variables: { input: { name, memberExternalIds: members } } }).then(
      (r) => r.expectData().createGroup.group.id,
    )
  const support = await group(
    'support',
    ops.map((o) => o.externalId),
  )
  const billing = await group('billing', ['billing-op'])
  const conversation = () =>
    runA({
      document: CreateConversationDocument,
      token: user.token,
      variables: { input: { kind: 'SUPPORT', subject: 'help', groupIds: [support] } },
    }).then((r) => r.expectData().createConversation.conversation.id)
  return { w, admin, ops, user, outsider, support, billing, conversationId: await conversation(), conversation }
}

const view = (run: ReturnType<typeof client>, user: TestUser, id: string) =>
  run({ document: SupportViewDocument, token: user.token, variables: { id } }).then((r) => r.expectData().conversation)
const send = (run: ReturnType<typeof client>, user: TestUser, conversationId: string, body: string, internal = false) =>
  run({
    document: SendNoteDocument,
    token: user.token,
    variables: { input: { conversationId, body, clientMessageId: crypto.randomUUID(), internal } },
  })

describe('claims and assignments', () => {
  it('10 operators claiming one conversation at once over two processes: one winner, 9 CONFLICTs, one assignment event', async () => {
    const { ops, admin, conversationId } = await desk(10)
    const results = await Promise.all(
      ops.map((op, i) =>
        (i % 2 ? runA : runB)({ document: ClaimConversationDocument, token: op.token, variables: { input: { conversationId } } }),
      ),
    )
    const winners = results.filter((r) => !r.errors)
    expect(winners).toHaveLength(1)
    const winner = winners[0]!.expectData().claimConversation.conversation.assignee!.externalId
    const losers = results.filter((r) => r.errors)
    expect(losers).toHaveLength(9)
    for (const r of losers) {
      const error = r.expectError('CONFLICT')
      expect(error.extensions).toMatchObject({ version: 2 })
      expect(error.extensions?.['assignee']).toEqual(expect.any(String))
    }
    const timeline = subscribe(a.wsUrl, {
      token: admin.token,
      document: SupportTimelineDocument,
      variables: { conversationId, afterSeq: 0 },
    })
    const [event] = await timeline.waitFor(1)
    expect(event!.conversationEvents).toMatchObject({
      __typename: 'ConversationAssignedEvent',
      seq: 1,
      assignee: { externalId: winner },
      actor: { externalId: winner },
    })
    await timeline.close()
    expect((await view(runA, admin, conversationId))!.lastSeq).toBe(1)
  })

  it('assignConversation with a stale expectedVersion is CONFLICT and changes nothing', async () => {
    const { admin, conversationId } = await desk(2)
    ;(
      await runA({
        document: AssignConversationDocument,
        token: admin.token,
        variables: { input: { conversationId, assigneeExternalId: 'op0', expectedVersion: 1 } },
      })
    ).expectData()
    const stale = await runB({
      document: AssignConversationDocument,
      token: admin.token,
      variables: { input: { conversationId, assigneeExternalId: 'op1', expectedVersion: 1 } },
    })
    expect(stale.expectError('CONFLICT').extensions).toMatchObject({ version: 2 })
    expect(await view(runA, admin, conversationId)).toMatchObject({ version: 2, lastSeq: 1, assignee: { externalId: 'op0' } })
  })

  it("an operator's capacity holds under 20 concurrent claims of different conversations over both processes", async () => {
    const { admin, ops, conversation } = await desk(1)
    ;(
      await runA({ document: UpdateTenantSettingsDocument, token: admin.token, variables: { input: { operatorCapacity: 3 } } })
    ).expectData()
    const ids = await Promise.all(Array.from({ length: 20 }, () => conversation()))
    const results = await Promise.all(
      ids.map((conversationId, i) =>
        (i % 2 ? runA : runB)({ document: ClaimConversationDocument, token: ops[0]!.token, variables: { input: { conversationId } } }),
      ),
    )
    expect(results.filter((r) => !r.errors)).toHaveLength(3)
    for (const r of results.filter((r) => r.errors)) r.expectError('CONFLICT')
    const { supportCounts } = (
      await runA({ document: SupportQueueDocument, token: ops[0]!.token, variables: { filter: { assignee: 'ME' } } })
    ).expectData()
    expect(supportCounts.mine).toBe(3)
  })

  it('a member, an operator outside the groups and another tenant cannot claim, assign, transfer or close', async () => {
    const { user, outsider, conversationId, support } = await desk(1)
    const stranger = await tenantWorld(a.graphqlUrl).user('admin', 'admin')
    const attempts = (token: string) => [
      runA({ document: ClaimConversationDocument, token, variables: { input: { conversationId } } }),
      runA({
        document: AssignConversationDocument,
        token,
        variables: { input: { conversationId, assigneeExternalId: 'op0', expectedVersion: 1 } },
      }),
      runA({
        document: TransferConversationDocument,
        token,
        variables: { input: { conversationId, groupId: support, expectedVersion: 1 } },
      }),
      runA({ document: CloseConversationDocument, token, variables: { input: { conversationId } } }),
    ]
    for (const r of await Promise.all(attempts(user.token))) r.expectError('FORBIDDEN')
    for (const r of await Promise.all(attempts(outsider.token))) r.expectError('NOT_FOUND')
    for (const r of await Promise.all(attempts(stranger.token))) r.expectError('NOT_FOUND')
  })
})

describe('one responder at a time (ASSIGNEE_ONLY, the default)', () => {
  it("a non-assignee operator's reply is refused with nothing written; an admin's is let through and recorded as an override", async () => {
    const { admin, ops, conversationId } = await desk(2)
    ;(await runA({ document: ClaimConversationDocument, token: ops[0]!.token, variables: { input: { conversationId } } })).expectData()
    const before = (await view(runA, admin, conversationId))!
    expect(before.viewerCanReply).toBe(true)
    expect((await view(runA, ops[1]!, conversationId))!.viewerCanReply).toBe(false)
    ;(await send(runB, ops[1]!, conversationId, 'me too')).expectError('CONFLICT')
    expect((await view(runA, admin, conversationId))!.lastSeq).toBe(before.lastSeq)
    // An internal note is not a reply: allowed.
    ;(await send(runB, ops[1]!, conversationId, 'note from op1', true)).expectData()
    ;(await send(runA, admin, conversationId, 'admin steps in')).expectData()
    const timeline = subscribe(a.wsUrl, {
      token: admin.token,
      document: SupportTimelineDocument,
      variables: { conversationId, afterSeq: before.lastSeq },
    })
    const events = await timeline.waitFor(4) // op1 joins and writes a note, the admin joins and replies
    const added = events.map((e) => e.conversationEvents).filter((e) => e.__typename === 'MessageAddedEvent')
    expect(added.map((e) => ('override' in e ? [e.message.body, e.override] : null))).toEqual([
      ['note from op1', false],
      ['admin steps in', true],
    ])
    await timeline.close()
  })

  it('two operators replying at once into an unassigned conversation: one reply lands and claims it, the other is CONFLICT', async () => {
    const { admin, ops, conversationId } = await desk(2)
    const results = await Promise.all([send(runA, ops[0]!, conversationId, 'first!'), send(runB, ops[1]!, conversationId, 'no, me')])
    expect(results.filter((r) => !r.errors)).toHaveLength(1)
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(1)
    const after = (await view(runA, admin, conversationId))!
    const replies = after.messages.edges.map((e) => e.node.body)
    expect(replies).toHaveLength(1)
    expect(after.assignee!.externalId).toBe(results[0]!.errors ? 'op1' : 'op0')
  })

  it('under ANY_OPERATOR any operator of the groups replies', async () => {
    const { admin, ops, conversationId } = await desk(2)
    ;(
      await runA({ document: UpdateTenantSettingsDocument, token: admin.token, variables: { input: { replyPolicy: 'ANY_OPERATOR' } } })
    ).expectData()
    ;(await runA({ document: ClaimConversationDocument, token: ops[0]!.token, variables: { input: { conversationId } } })).expectData()
    ;(await send(runA, ops[1]!, conversationId, 'helping out')).expectData()
  })
})

describe('internal notes', () => {
  it('an end user never sees a note: not live, not on resume, not in messages, lastMessage, unreadCount or inbox; operators see it', async () => {
    const { admin, ops, user, conversationId } = await desk(1)
    const op = ops[0]!
    const inboxesBefore = await activeSubscriptions(b.url, 'inboxEvents')
    const live = subscribe(a.wsUrl, { token: user.token, document: SupportTimelineDocument, variables: { conversationId, afterSeq: 0 } })
    const inbox = subscribe(b.wsUrl, { token: user.token, document: InboxEventsDocument })
    const staffLive = subscribe(a.wsUrl, {
      token: admin.token,
      document: SupportTimelineDocument,
      variables: { conversationId, afterSeq: 0 },
    })
    await liveSubscriptions(b.url, 'inboxEvents', inboxesBefore + 1)
    ;(await send(runA, user, conversationId, 'my order is late')).expectData()
    await live.waitFor(1)
    await inbox.waitFor(1)
    const note = (await send(runB, op, conversationId, 'SECRET: customer is on the fraud list', true)).expectData().sendMessage.message
    const reply = (await send(runA, op, conversationId, 'Sorry! It ships today')).expectData().sendMessage.message
    const userEvents = await live.waitFor(4)
    // Seqs increase for the end user but skip the note; resuming after any seq is still exact. (The
    // operator joined by writing the note: that is visible, the note is not.)
    expect(userEvents.map((e) => e.conversationEvents.__typename)).toEqual([
      'MessageAddedEvent',
      'ParticipantJoinedEvent',
      'ConversationAssignedEvent',
      'MessageAddedEvent',
    ])
    expect(userEvents.map((e) => e.conversationEvents.seq)).not.toContain(note.seq)
    expect(JSON.stringify(userEvents)).not.toContain('SECRET')
    expect(JSON.stringify(userEvents)).not.toContain(note.id)
    const resumed = subscribe(b.wsUrl, {
      token: user.token,
      document: SupportTimelineDocument,
      variables: { conversationId, afterSeq: note.seq - 1 },
    })
    const resumedEvents = await resumed.waitFor(2)
    expect(resumedEvents.map((e) => e.conversationEvents.seq)).toEqual([note.seq + 1, reply.seq]) // the claim, the reply
    await resumed.close()

    const forUser = (await view(runB, user, conversationId))!
    expect(forUser.messages.edges.map((e) => e.node.body)).toEqual(['my order is late', 'Sorry! It ships today'])
    expect(forUser.lastMessage!.body).toBe('Sorry! It ships today')
    expect(forUser.unreadCount).toBe(1)
    // The note by id is as missing for the end user as anything invisible; staff load it.
    expect((await runA({ document: NodeDocument, token: user.token, variables: { id: note.id } })).expectData().node).toBeNull()
    expect((await runA({ document: NodeDocument, token: op.token, variables: { id: note.id } })).expectData().node).toEqual({
      __typename: 'Message',
      id: note.id,
    })
    const inboxEvents = await inbox.waitFor(2)
    expect(JSON.stringify(inboxEvents)).not.toContain('SECRET')

    // A note as the newest message: the end user's lastMessage and unread count do not move.
    ;(await send(runA, op, conversationId, 'SECRET again', true)).expectData()
    const still = (await view(runB, user, conversationId))!
    expect(still.lastMessage!.body).toBe('Sorry! It ships today')
    expect(still.unreadCount).toBe(1)

    const forStaff = (await view(runA, admin, conversationId))!
    expect(forStaff.messages.edges.map((e) => [e.node.body, e.node.internal])).toContainEqual([
      'SECRET: customer is on the fraud list',
      true,
    ])
    expect(forStaff.lastMessage).toMatchObject({ body: 'SECRET again', internal: true })
    const staffEvents = await staffLive.waitFor(5)
    expect(JSON.stringify(staffEvents)).toContain('SECRET')
    expect(JSON.stringify(live.events)).not.toContain('SECRET')
    await Promise.all([live.close(), inbox.close(), staffLive.close()])
  })

  it('an end user cannot write a note', async () => {
    const { user, conversationId } = await desk(1)
    ;(await send(runA, user, conversationId, 'sneaky', true)).expectError('FORBIDDEN')
  })
})

describe('collision presence', () => {
  it('operators see who else is viewing and typing a note; the end user sees only typing of a visible reply', async () => {
    const { ops, user, conversationId } = await desk(2)
    const [op0, op1] = ops as [TestUser, TestUser]
    const before = await activeSubscriptions(a.url, 'conversationSignals')
    const forOp1 = subscribe(a.wsUrl, { token: op1.token, document: SupportSignalsDocument, variables: { conversationId } })
    const forUser = subscribe(a.wsUrl, { token: user.token, document: SupportSignalsDocument, variables: { conversationId } })
    await liveSubscriptions(a.url, 'conversationSignals', before + 2)
    ;(await runA({ document: SetViewingDocument, token: op0.token, variables: { input: { conversationId } } })).expectData()
    ;(await runA({ document: SetTypingDocument, token: op0.token, variables: { input: { conversationId, internal: true } } })).expectData()
    ;(await runA({ document: SetTypingDocument, token: op0.token, variables: { input: { conversationId } } })).expectData()
    const staff = await forOp1.waitFor(3)
    expect(
      staff.map((e) => [e.conversationSignals.__typename, 'internal' in e.conversationSignals ? e.conversationSignals.internal : null]),
    ).toEqual([
      ['ViewingSignal', null],
      ['TypingSignal', true],
      ['TypingSignal', false],
    ])
    const [first] = await forUser.waitFor(1)
    expect(first!.conversationSignals).toMatchObject({ __typename: 'TypingSignal', internal: false, user: { externalId: 'op0' } })
    expect(forUser.events).toHaveLength(1)
    ;(await runA({ document: SetViewingDocument, token: user.token, variables: { input: { conversationId } } })).expectError('FORBIDDEN')
    await Promise.all([forOp1.close(), forUser.close()])
  })
})

describe('lifecycle', () => {
  it("a transfer to another group is REMOVED from the old group's operators' inboxes and ADDED to the new group's, across processes", async () => {
    const { admin, ops, outsider, billing, conversationId } = await desk(2)
    const [before, beforeB] = await Promise.all([activeSubscriptions(a.url, 'inboxEvents'), activeSubscriptions(b.url, 'inboxEvents')])
    const oldGroup = subscribe(a.wsUrl, { token: ops[1]!.token, document: InboxEventsDocument })
    const newGroup = subscribe(b.wsUrl, { token: outsider.token, document: InboxEventsDocument })
    await Promise.all([liveSubscriptions(a.url, 'inboxEvents', before + 1), liveSubscriptions(b.url, 'inboxEvents', beforeB + 1)])
    const { version } = (await view(runA, admin, conversationId))!
    ;(
      await runB({
        document: TransferConversationDocument,
        token: admin.token,
        variables: { input: { conversationId, groupId: billing, expectedVersion: version } },
      })
    ).expectData()
    const [left] = await oldGroup.waitFor(1)
    expect(left!.inboxEvents).toEqual({ reason: 'REMOVED', conversationId, conversation: null })
    const [arrived] = await newGroup.waitFor(1)
    expect(arrived!.inboxEvents).toMatchObject({ reason: 'ADDED', conversationId, conversation: { id: conversationId } })
    await Promise.all([oldGroup.close(), newGroup.close()])
  })

  it("transfer to another group, claimed and closed there; the end user's next message reopens it", async () => {
    const { admin, ops, user, outsider, billing, conversationId } = await desk(1)
    ;(await runA({ document: ClaimConversationDocument, token: ops[0]!.token, variables: { input: { conversationId } } })).expectData()
    const { version } = (await view(runA, admin, conversationId))!
    const moved = (
      await runB({
        document: TransferConversationDocument,
        token: ops[0]!.token,
        variables: { input: { conversationId, groupId: billing, expectedVersion: version } },
      })
    ).expectData().transferConversation.conversation
    expect(moved).toMatchObject({ assignee: null, groups: [{ group: { name: 'billing' } }] })
    // The support operator no longer sees it; billing's does.
    expect(await view(runA, ops[0]!, conversationId)).toBeNull()
    ;(await runA({ document: ClaimConversationDocument, token: outsider.token, variables: { input: { conversationId } } })).expectData()
    const closed = (
      await runA({ document: CloseConversationDocument, token: outsider.token, variables: { input: { conversationId } } })
    ).expectData().closeConversation.conversation
    expect(closed.status).toBe('CLOSED')
    ;(await send(runB, user, conversationId, 'one more thing')).expectData()
    const reopened = (await view(runA, outsider, conversationId))!
    expect(reopened).toMatchObject({ status: 'OPEN', assignee: { externalId: 'billing-op' } })
    expect(reopened.waitingSince).not.toBeNull()
    const queue = (
      await runA({
        document: SupportQueueDocument,
        token: outsider.token,
        variables: { filter: { assignee: 'ME', kind: 'SUPPORT' }, orderBy: 'WAITING_SINCE' },
      })
    ).expectData()
    expect(queue.conversations.edges.map((e) => e.node.id)).toEqual([conversationId])
    // The operator's reply answers it.
    ;(await send(runA, outsider, conversationId, 'on it')).expectData()
    expect((await view(runA, outsider, conversationId))!.waitingSince).toBeNull()
  })
})
