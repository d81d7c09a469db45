// The SDK's support actions, receipts, edits and notifications against a real server: each support action's
// answer lands in the conversation store (a stale expectedVersion is a CONFLICT that changes nothing, in the
// store or on the server), markDelivered reaches the other side as a receipt, edits and deletions reach
// another client's timeline, and the notifications store reads again after a reconnect what the server
// does not replay.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { createSwitchboardClient, type SwitchboardClient } from '../client/src/client.js'
import { SwitchboardError } from '../client/src/errors.js'
import type { Timeline } from '../client/src/timeline.js'
import type { ConversationStore } from '../client/src/conversation.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { startTcpProxy } from './kit/proxy.js'
import { waitUntil } from './kit/ready.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  ConversationDocument,
  CreateConversationDocument,
  CreateGroupDocument,
  MessagesDocument,
  PublishNotificationDocument,
  SupportViewDocument,
} from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

const fastRetry = { initialDelayMs: 50, maxDelayMs: 400 }

function sdk(user: TestUser, via: { graphqlUrl: string; wsUrl: string } = t): SwitchboardClient {
  const c = createSwitchboardClient({
    url: via.graphqlUrl,
    wsUrl: via.wsUrl,
    getToken: () => user.token,
    WebSocket,
    retry: fastRetry,
    keepAliveMs: 2000,
  })
  onTestFinished(() => c.close())
  return c
}

function listen(store: { subscribe(listener: () => void): () => void }): void {
  onTestFinished(store.subscribe(() => {}))
}

const sent = (timeline: Timeline) => timeline.getSnapshot().items.flatMap((i) => (i.status === 'sent' ? [i.message] : []))

/** A tenant with an admin, operators op0/op1 in "support", billing-op in "billing", a member, and the member's SUPPORT conversation. */
async function desk() {
  const w = tenantWorld(t.graphqlUrl)
  const [admin, op0, op1, member, billingOp] = await Promise.all([
    w.user('admin', 'admin'),
    w.user('op0', 'operator'),
    w.user('op1', 'operator'),
    w.user('member'),
    w.user('billing-op', 'operator'),
  ])
  const group = async (name: string, members: string[]) =>
    (
      await run({ document: CreateGroupDocument, token: admin.token, variables: { input: { name, memberExternalIds: members } } })
    ).expectData().createGroup.group.id
  const [support, billing] = [await group('support', ['op0', 'op1']), await group('billing', ['billing-op'])]
  const conversationId = (
    await run({
      document: CreateConversationDocument,
      token: member.token,
      variables: { input: { kind: 'SUPPORT', subject: 'help', groupIds: [support] } },
    })
  ).expectData().createConversation.conversation.id
  return { w, admin, op0, op1, member, billingOp, support, billing, conversationId }
}

/** The server's state, read over plain HTTP: status, version, assignee … */
const serverView = async (user: TestUser, id: string) =>
  (await run({ document: SupportViewDocument, token: user.token, variables: { id } })).expectData().conversation
/** … and groups, participants' read and delivered positions. */
const serverConversation = async (user: TestUser, id: string) =>
  (await run({ document: ConversationDocument, token: user.token, variables: { id } })).expectData().conversation

async function ready(store: ConversationStore) {
  listen(store)
  await waitUntil(() => store.getSnapshot().status === 'ready', 'the conversation store is loaded')
  return () => store.getSnapshot().conversation!
}

describe('support actions through the SDK', () => {
  it('assign, markPending, close, reopen and transfer: each answer is in the conversation store; a stale expectedVersion is CONFLICT and changes nothing', async () => {
    const { admin, op0, member, billing, conversationId } = await desk()
    const op = sdk(op0)
    const current = await ready(op.conversation(conversationId))
    expect(current()).toMatchObject({ status: 'OPEN', assignee: null })

    // assign (to op1), with the version the store shows.
    const v1 = current().version
    const assigned = await op.support.assign(conversationId, 'op1', v1)
    expect(assigned).toMatchObject({ assignee: { externalId: 'op1' } })
    expect(assigned.version).toBeGreaterThan(v1)
    expect(current()).toMatchObject({ assignee: { externalId: 'op1' }, version: assigned.version })

    // markPending with the version from before the assignment: CONFLICT, nothing changes.
    const before = current()
    const stale = await op.support.markPending(conversationId, v1).then(
      () => null,
      (e: unknown) => e,
    )
    expect(stale).toBeInstanceOf(SwitchboardError)
    expect((stale as SwitchboardError).code).toBe('CONFLICT')
    expect((stale as SwitchboardError).retryable).toBe(false)
    expect((stale as SwitchboardError).extensions).toMatchObject({ version: assigned.version })
    expect(current()).toEqual(before)
    expect(await serverView(admin, conversationId)).toMatchObject({
      status: 'OPEN',
      version: assigned.version,
      assignee: { externalId: 'op1' },
    })

    // markPending with the current version.
    const pendingAnswer = await op.support.markPending(conversationId, current().version)
    expect(pendingAnswer.status).toBe('PENDING')
    expect(current()).toMatchObject({ status: 'PENDING', version: pendingAnswer.version })

    // close, then reopen.
    const closed = await op.support.close(conversationId, current().version)
    expect(closed.status).toBe('CLOSED')
    expect(current()).toMatchObject({ status: 'CLOSED', version: closed.version })
    // The member's own client hears of it (its store reads again on the inbox event).
    const memberClient = sdk(member)
    const memberView = await ready(memberClient.conversation(conversationId))
    await waitUntil(() => memberView().status === 'CLOSED', 'the member’s store shows it closed')
    const reopened = await op.support.reopen(conversationId)
    expect(reopened.status).toBe('OPEN')
    expect(current()).toMatchObject({ status: 'OPEN', version: reopened.version })
    await waitUntil(() => memberView().status === 'OPEN', 'the member’s store shows it open again')

    // transfer to billing (by an admin, whose store takes the answer).
    const adminClient = sdk(admin)
    const adminView = await ready(adminClient.conversation(conversationId))
    await waitUntil(() => adminView().version === reopened.version, 'the admin’s store is current')
    const moved = await adminClient.support.transfer(conversationId, { groupId: billing }, adminView().version)
    expect(moved).toMatchObject({ assignee: null, groups: [{ group: { name: 'billing' } }] })
    expect(adminView()).toMatchObject({ assignee: null, groups: [{ group: { name: 'billing' } }], version: moved.version })
    expect(await serverView(admin, conversationId)).toMatchObject({ version: moved.version, assignee: null })
    expect(await serverConversation(admin, conversationId)).toMatchObject({ groups: [{ group: { name: 'billing' } }] })
    // op0 is not in billing: the transfer's REMOVED inbox event makes its store read again, and it says
    // the conversation can no longer be seen.
    await waitUntil(() => op.conversation(conversationId).getSnapshot().status === 'not-found', 'op0’s store hears it is gone')
    expect(op.conversation(conversationId).getSnapshot()).toMatchObject({ status: 'not-found', conversation: null })
  })

  it('a stale transfer is CONFLICT: the store keeps what it had', async () => {
    const { admin, billing, conversationId } = await desk()
    const adminClient = sdk(admin)
    const current = await ready(adminClient.conversation(conversationId))
    const v = current().version
    await adminClient.support.assign(conversationId, 'op0', v)
    const before = current()
    const error = await adminClient.support.transfer(conversationId, { groupId: billing }, v).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SwitchboardError)
    expect((error as SwitchboardError).code).toBe('CONFLICT')
    expect(current()).toEqual(before)
    expect(await serverView(admin, conversationId)).toMatchObject({ assignee: { externalId: 'op0' }, version: before.version })
    expect(await serverConversation(admin, conversationId)).toMatchObject({ groups: [{ group: { name: 'support' } }] })
  })
})

describe('receipts, edits and deletions between clients', () => {
  it('markDelivered moves the viewer’s delivered position and reaches the other side as a receipt', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser, bobUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = (
      await run({
        document: CreateConversationDocument,
        token: aliceUser.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['bob'] } },
      })
    ).expectData().createConversation.conversation.id
    const [alice, bob] = [sdk(aliceUser), sdk(bobUser)]
    const signals = alice.conversationSignals(conversationId)
    listen(signals)
    const bobTimeline = bob.timeline(conversationId)
    listen(bobTimeline)
    await alice.acknowledged(alice.send(conversationId, 'one').clientMessageId)
    const second = await alice.acknowledged(alice.send(conversationId, 'two').clientMessageId)
    await waitUntil(() => bobTimeline.getSnapshot().position === second.seq, 'bob’s timeline has both')
    // Alice's signals stream is live before bob acts (a receipt is not replayed).
    await waitUntil(async () => {
      const positions = await bob.markDelivered(conversationId)
      expect(positions).toMatchObject({ lastDeliveredSeq: second.seq, lastReadSeq: 0 })
      return signals.getSnapshot().receipts[bobUser.id]?.lastDeliveredSeq === second.seq
    }, 'alice sees bob’s delivery receipt')
    expect(signals.getSnapshot().receipts[bobUser.id]).toMatchObject({
      lastDeliveredSeq: second.seq,
      lastReadSeq: 0,
      user: { externalId: 'bob' },
    })
    const participant = (await serverConversation(aliceUser, conversationId))!.participants.find((p) => p.user.externalId === 'bob')
    expect(participant).toMatchObject({ lastDeliveredSeq: second.seq, lastReadSeq: 0 })
    // Never moves back.
    expect(await bob.markDelivered(conversationId, 1)).toMatchObject({ lastDeliveredSeq: second.seq })
  })

  it('editMessage and deleteMessage by one client show in the other client’s timeline, in place', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser, bobUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = (
      await run({
        document: CreateConversationDocument,
        token: aliceUser.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['bob'] } },
      })
    ).expectData().createConversation.conversation.id
    const [alice, bob] = [sdk(aliceUser), sdk(bobUser)]
    const bobTimeline = bob.timeline(conversationId)
    listen(bobTimeline)
    const first = await alice.acknowledged(alice.send(conversationId, 'helo').clientMessageId)
    const second = await alice.acknowledged(alice.send(conversationId, 'oops').clientMessageId)
    await waitUntil(() => sent(bobTimeline).length === 2, 'bob has both messages')

    const edited = await alice.editMessage(first.id, 'hello')
    expect(edited).toMatchObject({ id: first.id, body: 'hello' })
    expect(edited.editedAt).not.toBeNull()
    await waitUntil(() => sent(bobTimeline)[0]?.body === 'hello', 'bob sees the edit')
    expect(sent(bobTimeline)[0]).toMatchObject({ id: first.id, seq: first.seq, editedAt: edited.editedAt })

    const deleted = await alice.deleteMessage(second.id)
    expect(deleted.deletedAt).not.toBeNull()
    await waitUntil(() => sent(bobTimeline)[1]?.deletedAt != null, 'bob sees the deletion')
    expect(sent(bobTimeline)[1]).toMatchObject({ id: second.id, seq: second.seq, body: deleted.body, deletedAt: deleted.deletedAt })

    // In place: still two messages, in order, as the server has them.
    const truth = (await run({ document: MessagesDocument, token: aliceUser.token, variables: { conversationId, first: 50 } }))
      .expectData()
      .conversation!.messages.edges.map((e) => e.node)
    expect(sent(bobTimeline).map((m) => [m.id, m.seq, m.body, m.deletedAt != null])).toEqual(
      truth.map((m) => [m.id, m.seq, m.body, m.deletedAt != null]),
    )
  })
})

describe('notifications across a reconnect', () => {
  it('a notification published while the client was cut off appears after it reconnects (the store reads again)', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [memberUser, service] = await Promise.all([w.user('member'), w.user('svc', 'service')])
    const proxy = await startTcpProxy(t.url)
    onTestFinished(() => proxy.close())
    const member = sdk(memberUser, proxy)
    const notifications = member.notifications()
    listen(notifications)
    const publish = async (title: string) =>
      (
        await run({
          document: PublishNotificationDocument,
          token: service.token,
          variables: { input: { recipientExternalIds: ['member'], type: 'order.shipped', title, idempotencyKey: `k-${title}-${w.tid}` } },
        })
      ).expectData()
    await waitUntil(
      () => notifications.getSnapshot().status === 'live' && member.connectionState.status === 'connected',
      'notifications are live',
    )
    // The live stream works (retry until the subscription is registered on the server).
    await waitUntil(async () => {
      await publish('first')
      return notifications.getSnapshot().items.some((n) => n.title === 'first')
    }, 'the first notification arrives live')

    proxy.cut()
    await waitUntil(() => member.connectionState.status === 'reconnecting', 'the member notices the cut')
    await publish('while offline')
    expect(notifications.getSnapshot().items.map((n) => n.title)).toEqual(['first'])

    proxy.restore()
    await waitUntil(
      () => notifications.getSnapshot().items.some((n) => n.title === 'while offline'),
      'the missed notification appears after the reconnect',
      15_000,
    )
    expect(notifications.getSnapshot().items.map((n) => n.title)).toEqual(['while offline', 'first'])
    expect(notifications.getSnapshot().unreadCount).toBe(2)
  })
})
