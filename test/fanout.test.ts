// The hot path's guarantees (issue: core reshape): a send costs at most two round trips to PostgreSQL;
// one event delivered to 10 or to 200 subscribers of a conversation costs the same SQL statements (read
// once per node, executed once per group of identical subscribers); subscribers whose view differs never
// receive a frame built for someone else; admins' inboxes follow the whole tenant; group membership
// changes reach live streams. Real graphql-ws sockets, real PostgreSQL, counted with Prisma's query events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { subscribe, wsClient } from './kit/subscribe.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import { activeSubscriptions, liveSubscriptions as liveOn, waitUntil } from './kit/ready.js'
import {
  AddGroupMembersDocument,
  ConversationEventsAsViewerDocument,
  ConversationEventsDocument,
  ConversationSignalsDocument,
  CreateConversationDocument,
  CreateGroupDocument,
  InboxEventsDocument,
  RemoveGroupMembersDocument,
  RemoveParticipantDocument,
  SendMessageDocument,
  SetTypingDocument,
} from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

const metrics = () => t.app.services.metrics
const counter = async (c: { get(): Promise<{ values: Array<{ value: number }> }> }) =>
  (await c.get()).values.reduce((sum, v) => sum + v.value, 0)
const dbQueries = () => counter(metrics().dbQueries)

const liveSubscriptions = (field: string, count: number) => liveOn(t.url, field, count)
const activeCount = (field: string) => activeSubscriptions(t.url, field)

const send = (user: TestUser, conversationId: string, body: string) =>
  run({
    document: SendMessageDocument,
    token: user.token,
    variables: { input: { conversationId, body, clientMessageId: crypto.randomUUID() } },
  }).then((r) => r.expectData().sendMessage.message)

async function groupConversation(memberCount: number) {
  const w = tenantWorld(t.graphqlUrl)
  const op = await w.user('op', 'operator')
  const members = await Promise.all(Array.from({ length: memberCount }, (_, i) => w.user(`m${i}`)))
  const { createConversation } = (
    await run({
      document: CreateConversationDocument,
      token: op.token,
      variables: { input: { kind: 'GROUP', participantExternalIds: members.map((m) => m.externalId) } },
    })
  ).expectData()
  return { w, op, members, conversationId: createConversation.conversation.id }
}

describe('the send path', () => {
  it('a send by a participant costs at most two round trips to PostgreSQL (the write, and the sender the payload selects)', async () => {
    const { op, conversationId } = await groupConversation(1)
    await send(op, conversationId, 'warm-up') // joins nothing, provisions nothing later
    // Counted by the server's own statement counter: Prisma's statements and the send's direct one (db/client.ts queryDirect).
    const before = await dbQueries()
    await send(op, conversationId, 'counted')
    const statements = (await dbQueries()) - before
    expect(statements).toBeGreaterThanOrEqual(1)
    expect(statements).toBeLessThanOrEqual(2)
  })
})

describe('fan-out once per event', () => {
  async function statementsForOneEvent(subscribers: number) {
    const { op, members, conversationId } = await groupConversation(2)
    const baseline = await activeCount('conversationEvents')
    const sockets = Array.from({ length: 5 }, (_, i) => wsClient(t.wsUrl, members[i % 2]!.token))
    const subs = Array.from({ length: subscribers }, (_, i) =>
      subscribe(t.wsUrl, { client: sockets[i % sockets.length]!, document: ConversationEventsDocument, variables: { conversationId } }),
    )
    await liveSubscriptions('conversationEvents', baseline + subscribers)
    await send(op, conversationId, 'warm-up')
    await Promise.all(subs.map((s) => s.waitFor(1)))
    const before = await dbQueries()
    const executionsBefore = await counter(metrics().fanoutExecutions)
    await send(op, conversationId, 'counted')
    await Promise.all(subs.map((s) => s.waitFor(2)))
    const statements = (await dbQueries()) - before
    const executions = (await counter(metrics().fanoutExecutions)) - executionsBefore
    for (const s of subs) expect(s.events.map((e) => e.conversationEvents.seq)).toEqual([1, 2])
    await Promise.all(subs.map((s) => s.close()))
    await Promise.all(sockets.map((c) => c.dispose()))
    return { statements, executions }
  }

  it('one event to 10 or to 200 subscribers of a conversation costs the same SQL statements and one execution', async () => {
    const ten = await statementsForOneEvent(10)
    const twoHundred = await statementsForOneEvent(200)
    expect(twoHundred.statements).toBe(ten.statements)
    expect(ten.executions).toBe(1)
    expect(twoHundred.executions).toBe(1)
  })

  it('subscribers whose view differs share nothing: each gets its own viewerCan* and unread count', async () => {
    const { w, op, members, conversationId } = await groupConversation(2)
    const admin = await w.user('admin', 'admin')
    const [m0, m1] = members as [TestUser, TestUser]
    const baseline = await activeCount('conversationEvents')
    const subs = [m0, m1, admin, op].map((u) =>
      subscribe(t.wsUrl, { token: u.token, document: ConversationEventsAsViewerDocument, variables: { conversationId, afterSeq: 0 } }),
    )
    await liveSubscriptions('conversationEvents', baseline + 4)
    await send(m1, conversationId, 'from m1') // m0 has not read it: unread 1 for m0, op and admin; 0 for m1
    const [forM0, forM1, forAdmin, forOp] = await Promise.all(subs.map(async (s) => (await s.waitFor(1))[0]!.conversationEvents))
    const message = (e: typeof forM0) => (e && 'message' in e ? e.message : undefined)
    expect(message(forM0)).toMatchObject({
      body: 'from m1',
      viewerCanEdit: false,
      viewerCanDelete: false,
      conversation: { unreadCount: 1, viewerCanManageParticipants: false },
    })
    expect(message(forM1)).toMatchObject({
      viewerCanEdit: true,
      viewerCanDelete: true,
      conversation: { unreadCount: 0, viewerCanManageParticipants: false },
    })
    expect(message(forAdmin)).toMatchObject({
      viewerCanEdit: false,
      viewerCanDelete: true,
      conversation: { unreadCount: 1, viewerCanManageParticipants: true },
    })
    expect(message(forOp)).toMatchObject({
      viewerCanEdit: false,
      viewerCanDelete: false,
      conversation: { unreadCount: 1, viewerCanManageParticipants: true },
    })
    await Promise.all(subs.map((s) => s.close()))
  })

  it('a participant removed from a conversation receives no event and no signal after the removal', async () => {
    const { op, members, conversationId } = await groupConversation(2)
    const [m0, m1] = members as [TestUser, TestUser]
    const baseEvents = await activeCount('conversationEvents')
    const baseSignals = await activeCount('conversationSignals')
    const events = subscribe(t.wsUrl, { token: m1.token, document: ConversationEventsDocument, variables: { conversationId } })
    const signals = subscribe(t.wsUrl, { token: m1.token, document: ConversationSignalsDocument, variables: { conversationId } })
    await liveSubscriptions('conversationEvents', baseEvents + 1)
    await liveSubscriptions('conversationSignals', baseSignals + 1)
    ;(
      await run({
        document: RemoveParticipantDocument,
        token: op.token,
        variables: { input: { conversationId, participantExternalId: 'm1' } },
      })
    ).expectData()
    ;(await run({ document: SetTypingDocument, token: m0.token, variables: { input: { conversationId } } })).expectData()
    await send(m0, conversationId, 'after the removal')
    expect(await events.done).toBe('complete')
    expect(await signals.done).toBe('complete')
    expect(events.events).toEqual([])
    expect(signals.events).toEqual([])
  })
})

describe('inbox and groups', () => {
  it("an admin's inboxEvents follow every conversation of the tenant, which the admin can list", async () => {
    const w = tenantWorld(t.graphqlUrl)
    const admin = await w.user('admin', 'admin')
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const baseline = await activeCount('inboxEvents')
    const inbox = subscribe(t.wsUrl, { token: admin.token, document: InboxEventsDocument })
    await liveSubscriptions('inboxEvents', baseline + 1)
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: op.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['m1'] } },
      })
    ).expectData()
    await send(m1, createConversation.conversation.id, 'hello')
    const events = await inbox.waitFor(2)
    expect(events.map((e) => [e.inboxEvents.reason, e.inboxEvents.conversationId])).toEqual([
      ['ADDED', createConversation.conversation.id],
      ['UPDATED', createConversation.conversation.id],
    ])
    expect(events[1]!.inboxEvents.conversation).toMatchObject({ unreadCount: 1, lastMessage: { body: 'hello' } })
    await inbox.close()
  })

  it("an operator added to a group hears of the group's conversations; removed, their live streams end", async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [admin, op, m1] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('m1')])
    const { createGroup } = (
      await run({ document: CreateGroupDocument, token: admin.token, variables: { input: { name: 'support' } } })
    ).expectData()
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: m1.token,
        variables: { input: { kind: 'SUPPORT', participantExternalIds: [], groupIds: [createGroup.group.id] } },
      })
    ).expectData()
    const conversationId = createConversation.conversation.id
    const baseline = await activeCount('inboxEvents')
    const inbox = subscribe(t.wsUrl, { token: op.token, document: InboxEventsDocument })
    await liveSubscriptions('inboxEvents', baseline + 1)
    ;(
      await run({
        document: AddGroupMembersDocument,
        token: admin.token,
        variables: { input: { groupId: createGroup.group.id, memberExternalIds: ['op'] } },
      })
    ).expectData()
    const [added] = await inbox.waitFor(1)
    expect(added!.inboxEvents).toMatchObject({ reason: 'ADDED', conversationId })

    const base = await activeCount('conversationEvents')
    const events = subscribe(t.wsUrl, { token: op.token, document: ConversationEventsDocument, variables: { conversationId } })
    await liveSubscriptions('conversationEvents', base + 1)
    ;(
      await run({
        document: RemoveGroupMembersDocument,
        token: admin.token,
        variables: { input: { groupId: createGroup.group.id, memberExternalIds: ['op'] } },
      })
    ).expectData()
    expect(await events.done).toBe('complete')
    const [, removed] = await inbox.waitFor(2)
    expect(removed!.inboxEvents).toMatchObject({ reason: 'REMOVED', conversationId, conversation: null })
    await send(m1, conversationId, 'not for op any more')
    expect(events.events).toEqual([])
    await inbox.close()
  })
})

describe('backpressure', () => {
  it('a consumer that stops reading is closed with 1013 once its send buffer stays over the limit (it resumes with afterSeq)', async () => {
    const slow = await startTestApp({
      env: { WS_MAX_BUFFERED_BYTES: '65536', WS_SLOW_CONSUMER_MS: '200', MAX_MESSAGE_LENGTH: '200000', MAX_REQUEST_BYTES: '1048576' },
    })
    try {
      const w = tenantWorld(slow.graphqlUrl)
      const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
      const runSlow = client(slow.graphqlUrl)
      const { createConversation } = (
        await runSlow({
          document: CreateConversationDocument,
          token: op.token,
          variables: { input: { kind: 'GROUP', participantExternalIds: ['m1'] } },
        })
      ).expectData()
      const conversationId = createConversation.conversation.id
      const body = 'x'.repeat(190_000)
      for (let i = 0; i < 100; i += 4)
        await Promise.all(
          [0, 1, 2, 3].map(async (j) =>
            (
              await runSlow({
                document: SendMessageDocument,
                token: op.token,
                variables: { input: { conversationId, body, clientMessageId: `big-${i + j}` } },
              })
            ).expectData(),
          ),
        )
      // A raw graphql-transport-ws client that subscribes to the ~19 MB backlog, then stops reading.
      const { default: WebSocket } = await import('ws')
      const socket = new WebSocket(slow.wsUrl, 'graphql-transport-ws')
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
      await new Promise((resolve) => socket.once('open', resolve))
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${m1.token}` } }))
      await new Promise((resolve) => socket.once('message', resolve))
      const query =
        'subscription($c: ID!) { conversationEvents(conversationId: $c, afterSeq: 0) { seq ... on MessageAddedEvent { message { body } } } }'
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { c: conversationId } } }))
      ;(socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause()
      const closedByServer = async () => (await counter(slow.app.services.metrics.slowConsumersClosed)) > 0
      await waitUntil(closedByServer, 'the server closed the slow consumer', 30_000)
      ;(socket as unknown as { _socket: { resume(): void } })._socket.resume()
      expect(await closed).toBe(1013)
    } finally {
      await slow.stop()
    }
  })
})
