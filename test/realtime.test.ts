// Real-time on one node (in-process pub/sub): resumable conversationEvents, replay limit, authorization
// on every event, inbox and ephemeral signals, SSE ids, and resource hygiene. Real graphql-ws client over
// a real socket; real HTTP for SSE; real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { activeSubscriptions, liveSubscriptions, waitUntil } from './kit/ready.js'
import { subscribe, wsClient } from './kit/subscribe.js'
import { sseSubscribe } from './kit/sse.js'
import { signToken } from './kit/tokens.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  ConversationEventsDocument,
  ConversationSignalsDocument,
  CreateConversationDocument,
  DeleteMessageDocument,
  EditMessageDocument,
  InboxEventsDocument,
  MarkReadDocument,
  RemoveParticipantDocument,
  SendMessageDocument,
  SetTypingDocument,
  UpdateConversationDocument,
} from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

async function setup() {
  const w = tenantWorld(t.graphqlUrl)
  const [op, m1, m2] = await Promise.all([w.user('op', 'operator'), w.user('m1'), w.user('m2')])
  const { createConversation } = (
    await run({
      document: CreateConversationDocument,
      token: op.token,
      variables: { input: { kind: 'GROUP', participantExternalIds: ['m1', 'm2'] } },
    })
  ).expectData()
  return { w, op, m1, m2, conversationId: createConversation.conversation.id }
}

const send = (user: TestUser, conversationId: string, body: string, clientMessageId = body) =>
  run({ document: SendMessageDocument, token: user.token, variables: { input: { conversationId, body, clientMessageId } } }).then(
    (r) => r.expectData().sendMessage.message,
  )

describe('conversationEvents', () => {
  it('afterSeq replays exactly what came later, then continues live, in seq order', async () => {
    const { op, m1, conversationId } = await setup()
    for (let i = 1; i <= 5; i++) await send(op, conversationId, `m${i}`)
    const sub = subscribe(t.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 3 } })
    await sub.waitFor(2)
    await send(op, conversationId, 'm6')
    const events = await sub.waitFor(3)
    expect(events.map((e) => [e.conversationEvents.seq, e.conversationEvents.__typename])).toEqual([
      [4, 'MessageAddedEvent'],
      [5, 'MessageAddedEvent'],
      [6, 'MessageAddedEvent'],
    ])
    const added = events[2]!.conversationEvents
    expect(added.__typename === 'MessageAddedEvent' && added.message).toMatchObject({ body: 'm6', seq: 6, sender: { externalId: 'op' } })
    await sub.close()
  })

  it('edits, deletes, joins, leaves and updates arrive on the timeline with their seqs', async () => {
    const { op, m1, m2, conversationId } = await setup()
    const sub = subscribe(t.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    const message = await send(op, conversationId, 'hello')
    ;(
      await run({ document: EditMessageDocument, token: op.token, variables: { input: { messageId: message.id, body: 'hello!' } } })
    ).expectData()
    ;(await run({ document: DeleteMessageDocument, token: op.token, variables: { input: { messageId: message.id } } })).expectData()
    ;(
      await run({ document: UpdateConversationDocument, token: op.token, variables: { input: { conversationId, subject: 'New' } } })
    ).expectData()
    ;(
      await run({
        document: RemoveParticipantDocument,
        token: op.token,
        variables: { input: { conversationId, participantExternalId: m2.externalId } },
      })
    ).expectData()
    const events = await sub.waitFor(5)
    expect(events.map((e) => [e.conversationEvents.seq, e.conversationEvents.__typename])).toEqual([
      [1, 'MessageAddedEvent'],
      [2, 'MessageEditedEvent'],
      [3, 'MessageDeletedEvent'],
      [4, 'ConversationUpdatedEvent'],
      [5, 'ParticipantLeftEvent'],
    ])
    await sub.close()
  })

  it('subscribing during a burst of concurrent sends yields every seq exactly once', async () => {
    const { op, m1, m2, conversationId } = await setup()
    const users = [op, m1, m2]
    const sends = Array.from({ length: 90 }, (_, i) => send(users[i % 3]!, conversationId, `b${i}`))
    // Subscribe once the burst has committed something, while the rest is still in flight.
    await Promise.race(sends)
    const sub = subscribe(t.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    await Promise.all(sends)
    // One more message after the burst: events arrive in seq order, so once it is here any duplicate or
    // late event of the burst would be here too.
    await send(op, conversationId, 'after the burst')
    await sub.waitFor(91, 20_000)
    expect(sub.events.map((e) => e.conversationEvents.seq)).toEqual(Array.from({ length: 91 }, (_, i) => i + 1))
    await sub.close()
  })

  it('a backlog longer than REPLAY_LIMIT is announced, never silently skipped; the stream goes on live', async () => {
    const small = await startTestApp({ env: { REPLAY_LIMIT: '20' } })
    onTestFinished(() => small.stop())
    const { op, m1, conversationId } = await setup()
    for (let i = 0; i < 25; i += 5) await Promise.all(Array.from({ length: 5 }, (_, j) => send(op, conversationId, `x${i + j}`)))
    const sub = subscribe(small.wsUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId, afterSeq: 2 },
    })
    const [truncated] = await sub.waitFor(1)
    expect(truncated!.conversationEvents).toMatchObject({ __typename: 'TimelineTruncatedEvent', seq: 2, resumeAfterSeq: 25 })
    // Sent through the small app itself: its pub/sub is in-process.
    ;(
      await client(small.graphqlUrl)({
        document: SendMessageDocument,
        token: op.token,
        variables: { input: { conversationId, body: 'live', clientMessageId: 'live' } },
      })
    ).expectData()
    const events = await sub.waitFor(2)
    expect(events[1]!.conversationEvents).toMatchObject({ __typename: 'MessageAddedEvent', seq: 26 })
    await sub.close()
  })
})

describe('resume positions', () => {
  it('an afterSeq (or Last-Event-ID) beyond the timeline is BAD_USER_INPUT, never a silent skip', async () => {
    const { op, m1, conversationId } = await setup()
    await send(op, conversationId, 'only one')
    const sub = subscribe(t.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 5 } })
    await sub.done
    expect(sub.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    const sse = await sseSubscribe(t.graphqlUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId },
      lastEventId: '9999999999',
    })
    await sse.done
    expect(sse.messages[0]?.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })
})

describe('authorization on every event', () => {
  it('another tenant, a non-participant and a missing conversation get NOT_FOUND and no event', async () => {
    const { conversationId } = await setup()
    const stranger = await tenantWorld(t.graphqlUrl).user('admin', 'admin')
    const outsider = await tenantWorld(t.graphqlUrl).user('x')
    const sameTenant = await (await setup()).w.user('not-in-it')
    const missing = Buffer.from(`Conversation:${crypto.randomUUID()}`).toString('base64')
    for (const [token, id] of [
      [stranger.token, conversationId],
      [outsider.token, conversationId],
      [sameTenant.token, conversationId],
      [sameTenant.token, missing],
    ] as const) {
      const sub = subscribe(t.wsUrl, { document: ConversationEventsDocument, token, variables: { conversationId: id, afterSeq: 0 } })
      await sub.done
      expect(sub.events).toEqual([])
      expect(sub.errors[0]?.extensions?.code).toBe('NOT_FOUND')
      await sub.close()
    }
  })

  it('a participant removed mid-stream stops receiving at once: the stream completes', async () => {
    const { op, m1, m2, conversationId } = await setup()
    const sub = subscribe(t.wsUrl, { document: ConversationEventsDocument, token: m2.token, variables: { conversationId, afterSeq: 0 } })
    await send(op, conversationId, 'before')
    await sub.waitFor(1)
    ;(
      await run({
        document: RemoveParticipantDocument,
        token: op.token,
        variables: { input: { conversationId, participantExternalId: m2.externalId } },
      })
    ).expectData()
    await send(m1, conversationId, 'after')
    expect(await sub.done).toBe('complete')
    expect(sub.events.map((e) => e.conversationEvents.seq)).toEqual([1])
  })

  it('an unauthenticated socket gets no event: it is closed at connection_init', async () => {
    const c = wsClient(t.wsUrl, undefined)
    expect((await c.closeEvent).code).toBe(4401)
    await c.dispose()
  })

  it('a socket whose token expires in 30 days stays open', async () => {
    const { w, op, conversationId } = await setup()
    const token = await signToken({ tid: w.tid, sub: 'm1', role: 'member', expiresIn: 30 * 24 * 3600 })
    const before = await activeSubscriptions(t.url, 'conversationEvents')
    const sub = subscribe(t.wsUrl, { document: ConversationEventsDocument, token, variables: { conversationId, afterSeq: 0 } })
    // A timer beyond setTimeout's range would fire at once and close the socket: live first, then a live event.
    await liveSubscriptions(t.url, 'conversationEvents', before + 1)
    await send(op, conversationId, 'still here')
    expect((await sub.waitFor(1))[0]!.conversationEvents.seq).toBe(1)
    expect(sub.errors).toEqual([])
    await sub.close()
  })

  it('a subscription over SSE ends when its token expires', async () => {
    const { w, op, conversationId } = await setup()
    const token = await signToken({ tid: w.tid, sub: 'm1', role: 'member', expiresIn: 2 })
    const stream = await sseSubscribe(t.graphqlUrl, {
      document: ConversationEventsDocument,
      token,
      variables: { conversationId, afterSeq: 0 },
    })
    await send(op, conversationId, 'one')
    await stream.waitFor(1)
    await stream.done
    expect(stream.messages).toHaveLength(1)
  })
})

describe('SSE transport', () => {
  it('each event carries id: <seq>, and Last-Event-ID resumes after it when afterSeq is absent', async () => {
    const { op, m1, conversationId } = await setup()
    const first = await sseSubscribe(t.graphqlUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId, afterSeq: 0 },
    })
    expect(first.status).toBe(200)
    for (let i = 1; i <= 3; i++) await send(op, conversationId, `s${i}`)
    const got = await first.waitFor(3)
    expect(got.map((m) => m.id)).toEqual(['1', '2', '3'])
    first.close()
    await send(op, conversationId, 's4')
    const resumed = await sseSubscribe(t.graphqlUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId },
      lastEventId: '2',
    })
    const again = await resumed.waitFor(2)
    expect(again.map((m) => [m.id, m.data?.conversationEvents.seq])).toEqual([
      ['3', 3],
      ['4', 4],
    ])
    resumed.close()
  })
})

describe('inbox and ephemeral signals', () => {
  it("inboxEvents keeps a user's conversation list live: added, new messages with unread counts, removed", async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const before = await activeSubscriptions(t.url, 'inboxEvents')
    const inbox = subscribe(t.wsUrl, { document: InboxEventsDocument, token: m1.token })
    // Inbox events are not replayed: the subscription must be live before the conversation is created.
    await liveSubscriptions(t.url, 'inboxEvents', before + 1)
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: op.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['m1'] } },
      })
    ).expectData()
    const conversationId = createConversation.conversation.id
    await inbox.waitFor(1)
    await send(op, conversationId, 'new message')
    await inbox.waitFor(2)
    ;(
      await run({
        document: RemoveParticipantDocument,
        token: op.token,
        variables: { input: { conversationId, participantExternalId: 'm1' } },
      })
    ).expectData()
    const events = await inbox.waitFor(3)
    expect(events.map((e) => e.inboxEvents.reason)).toEqual(['ADDED', 'UPDATED', 'REMOVED'])
    expect(events[1]!.inboxEvents.conversation, JSON.stringify(events)).toMatchObject({
      id: conversationId,
      unreadCount: 1,
      lastMessage: { body: 'new message' },
    })
    expect(events[2]!.inboxEvents.conversation).toBeNull()
    await inbox.close()
  })

  it('typing and read receipts reach the other participants live and are not replayed', async () => {
    const { op, m1, m2, conversationId } = await setup()
    const before = await activeSubscriptions(t.url, 'conversationSignals')
    const signals = subscribe(t.wsUrl, { document: ConversationSignalsDocument, token: op.token, variables: { conversationId } })
    // Signals are not replayed: the subscription must be live before they are sent.
    await liveSubscriptions(t.url, 'conversationSignals', before + 1)
    await send(op, conversationId, 'read me')
    ;(await run({ document: SetTypingDocument, token: m1.token, variables: { input: { conversationId } } })).expectData()
    ;(await run({ document: MarkReadDocument, token: m1.token, variables: { input: { conversationId, seq: 1 } } })).expectData()
    const got = await signals.waitFor(2)
    expect(got.map((s) => s.conversationSignals.__typename)).toEqual(['TypingSignal', 'ReceiptSignal'])
    expect(got[1]!.conversationSignals).toMatchObject({ user: { externalId: 'm1' }, lastReadSeq: 1, lastDeliveredSeq: 1 })
    await signals.close()
    // A late subscriber gets nothing old: signals arrive in order, so once m2's new typing signal is
    // here, anything replayed of m1's would be here before it.
    const late = subscribe(t.wsUrl, { document: ConversationSignalsDocument, token: op.token, variables: { conversationId } })
    await liveSubscriptions(t.url, 'conversationSignals', before + 1)
    ;(await run({ document: SetTypingDocument, token: m2.token, variables: { input: { conversationId } } })).expectData()
    await late.waitFor(1)
    expect(late.events.map((s) => [s.conversationSignals.__typename, s.conversationSignals.user.externalId])).toEqual([
      ['TypingSignal', 'm2'],
    ])
    await late.close()
  })
})

describe('shutdown', () => {
  it('stopping the server ends open SSE and WebSocket streams at once instead of waiting out the drain timeout', async () => {
    const own = await startTestApp({ env: { SHUTDOWN_TIMEOUT_MS: '20000' } })
    const { m1, conversationId } = await setup()
    const sse = await sseSubscribe(own.graphqlUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId, afterSeq: 0 },
    })
    const ws = subscribe(own.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    await liveSubscriptions(own.url, 'conversationEvents', 2)
    const startedAt = Date.now()
    await own.stop()
    expect(Date.now() - startedAt).toBeLessThan(10_000)
    await sse.done
    // The socket is closed (1001) right after the streams are told to end: the client sees the close.
    expect(await ws.done).toBe('error')
    expect(ws.errors).toEqual([{ message: 'Server shutting down', extensions: { code: 'CLOSE_1001' } }])
  })
})

describe('resource hygiene', () => {
  it('opening and closing 1,000 subscriptions returns the pub/sub listener count to its baseline', async () => {
    const { m1, conversationId } = await setup()
    const broker = t.app.services.broker
    const baseline = broker.listenerCount()
    const c = wsClient(t.wsUrl, m1.token)
    for (let round = 0; round < 10; round++) {
      const subs = Array.from({ length: 100 }, (_, i) =>
        i % 2
          ? subscribe(t.wsUrl, { client: c, document: ConversationEventsDocument, variables: { conversationId, afterSeq: 0 } })
          : subscribe(t.wsUrl, { client: c, document: ConversationSignalsDocument, variables: { conversationId } }),
      )
      // Closed while some are still being set up, on purpose: those must be released too.
      await new Promise((r) => setTimeout(r, 50))
      await Promise.all(subs.map((s) => s.close()))
    }
    await c.dispose()
    // The server may still be setting up subscriptions the client already dropped.
    await waitUntil(() => broker.listenerCount() === baseline, `the pub/sub listener count is back to its baseline of ${baseline}`, 5_000)
  })
})
