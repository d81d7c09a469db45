// The client SDK (client/src) against a real server: real HTTP, real graphql-ws sockets, real PostgreSQL.
// A TCP proxy in front of the server cuts one client's network while others keep working, so reconnects,
// resumes and the outbox are exercised the way a phone losing its signal would.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { createSwitchboardClient, type SwitchboardClient, type SwitchboardClientOptions } from '../client/src/client.js'
import type { Timeline } from '../client/src/timeline.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { startTcpProxy } from './kit/proxy.js'
import { waitUntil } from './kit/ready.js'
import { signToken } from './kit/tokens.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  CreateConversationDocument,
  CreateGroupDocument,
  PublishNotificationDocument,
  RemoveParticipantDocument,
} from '../client/generated/graphql.js'
import { memoryStorage } from '../client/src/storage.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

const fastRetry = { initialDelayMs: 50, maxDelayMs: 400 }

function sdk(
  user: TestUser | Pick<SwitchboardClientOptions, 'getToken'>,
  via: { graphqlUrl: string; wsUrl: string } = t,
): SwitchboardClient {
  const getToken = 'token' in user ? () => user.token : user.getToken
  const c = createSwitchboardClient({ url: via.graphqlUrl, wsUrl: via.wsUrl, getToken, WebSocket, retry: fastRetry, keepAliveMs: 2000 })
  onTestFinished(() => c.close())
  return c
}

/** Follows a timeline for the rest of the test; returns the statuses it went through. */
function follow(timeline: Timeline): string[] {
  const statuses: string[] = []
  const off = timeline.subscribe(() => {
    const status = timeline.getSnapshot().status
    if (statuses.at(-1) !== status) statuses.push(status)
  })
  onTestFinished(off)
  return statuses
}

const sent = (timeline: Timeline) =>
  timeline.getSnapshot().items.flatMap((i) => (i.status === 'sent' ? [{ seq: i.seq, body: i.message.body }] : []))
const pending = (timeline: Timeline) => timeline.getSnapshot().items.filter((i) => i.status !== 'sent')

describe('client SDK against a real server', () => {
  it('two clients exchange messages; a client cut off the network converges on reconnect with no gap and no duplicate, and its send made while cut is stored exactly once', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser, bobUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = await w.groupConversation(aliceUser, ['bob'])
    const proxy = await startTcpProxy(t.url)
    onTestFinished(() => proxy.close())
    const alice = sdk(aliceUser)
    const bob = sdk(bobUser, proxy)
    const [aliceTimeline, bobTimeline] = [alice.timeline(conversationId), bob.timeline(conversationId)]
    follow(aliceTimeline)
    follow(bobTimeline)

    alice.send(conversationId, 'a1')
    alice.send(conversationId, 'a2')
    await waitUntil(() => sent(bobTimeline).length === 2, 'bob has both of alice’s messages')
    bob.send(conversationId, 'b1')
    await waitUntil(() => sent(aliceTimeline).some((m) => m.body === 'b1'), 'alice has bob’s reply')
    await waitUntil(() => bob.connectionState.status === 'connected', 'bob’s socket is up')

    proxy.cut()
    await waitUntil(() => bob.connectionState.status === 'reconnecting', 'bob notices the cut')
    const offline = bob.send(conversationId, 'b2 sent while offline')
    expect(pending(bobTimeline)).toMatchObject([{ status: 'pending', clientMessageId: offline.clientMessageId }])
    for (let i = 3; i <= 7; i++) await alice.acknowledged(alice.send(conversationId, `a${i}`).clientMessageId)
    await waitUntil(
      () => (bob.outbox.list()[0]?.attempts ?? 0) >= 1 && bob.outbox.list()[0]?.error?.code === 'NETWORK',
      'bob’s send failed on the network',
    )
    expect(sent(bobTimeline).map((m) => m.body)).toEqual(['a1', 'a2', 'b1'])

    const acceptedBefore = proxy.accepted
    proxy.restore()
    await waitUntil(() => sent(bobTimeline).length === 9 && pending(bobTimeline).length === 0, 'bob converges', 20_000)
    await waitUntil(() => sent(aliceTimeline).length === 9, 'alice has bob’s offline message')

    const truth = await w.messages(aliceUser, conversationId)
    expect(truth).toHaveLength(9)
    expect(sent(bobTimeline)).toEqual(truth)
    expect(sent(aliceTimeline)).toEqual(truth)
    expect(truth.filter((m) => m.body === 'b2 sent while offline')).toHaveLength(1)
    expect(bob.outbox.list()).toEqual([])
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore)
    // Resumed, not reloaded: bob's timeline position is the server's last seq.
    // Its own last send is shown once the HTTP answer arrives; the stream's event for it may come a moment
    // later, and the position follows the stream.
    await waitUntil(() => bobTimeline.getSnapshot().position === truth.at(-1)!.seq, 'bob’s stream applied the last event')
    expect(bobTimeline.getSnapshot().position).toBe(truth.at(-1)!.seq)
  })

  it('acknowledged() of a send already stored resolves with its message (it used to wait forever)', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = await w.groupConversation(aliceUser, ['bob'])
    const alice = sdk(aliceUser)
    const { clientMessageId } = alice.send(conversationId, 'quick')
    await waitUntil(() => alice.outbox.list().length === 0, 'the send is stored')
    const message = await alice.acknowledged(clientMessageId)
    expect(message).toMatchObject({ clientMessageId, body: 'quick' })
  })

  it('a send whose answer was lost is retried under its clientMessageId and stored once', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser, bobUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = await w.groupConversation(aliceUser, ['bob'])
    // The first send request reaches the server, but its answer never reaches the client.
    let dropFirstAnswer = true
    const lossyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      if (dropFirstAnswer && String(init?.body).includes('SdkSendMessage')) {
        dropFirstAnswer = false
        throw new TypeError('fetch failed (answer lost)')
      }
      return response
    }
    const bob = createSwitchboardClient({
      url: t.graphqlUrl,
      wsUrl: t.wsUrl,
      getToken: () => bobUser.token,
      WebSocket,
      retry: fastRetry,
      fetch: lossyFetch,
    })
    onTestFinished(() => bob.close())
    const timeline = bob.timeline(conversationId)
    follow(timeline)
    const entry = bob.send(conversationId, 'exactly once')
    const committed = await bob.acknowledged(entry.clientMessageId)
    expect(committed).toMatchObject({ body: 'exactly once', clientMessageId: entry.clientMessageId })
    await waitUntil(() => sent(timeline).length === 1 && pending(timeline).length === 0, 'the timeline shows it once')
    expect(await w.messages(aliceUser, conversationId)).toEqual([{ seq: committed.seq, body: 'exactly once' }])
  })

  it('a send queued while offline survives the client itself: the next client on the same storage sends it, once', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser, bobUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = await w.groupConversation(aliceUser, ['bob'])
    const storage = memoryStorage() // stands for localStorage / AsyncStorage: it outlives the client
    const proxy = await startTcpProxy(t.url)
    onTestFinished(() => proxy.close())
    const first = createSwitchboardClient({
      url: proxy.graphqlUrl,
      wsUrl: proxy.wsUrl,
      getToken: () => bobUser.token,
      WebSocket,
      retry: fastRetry,
      storage,
    })
    await first.viewer()
    proxy.cut()
    const entry = first.send(conversationId, 'written on the train')
    await waitUntil(() => first.outbox.list()[0]?.error?.code === 'NETWORK', 'the send failed on the network')
    first.close()
    await first.outbox.persisted()
    proxy.restore()
    const restarted = createSwitchboardClient({
      url: proxy.graphqlUrl,
      wsUrl: proxy.wsUrl,
      getToken: () => bobUser.token,
      WebSocket,
      retry: fastRetry,
      storage,
    })
    onTestFinished(() => restarted.close())
    const committed = await restarted.acknowledged(entry.clientMessageId)
    expect(committed.body).toBe('written on the train')
    expect(await w.messages(aliceUser, conversationId)).toEqual([{ seq: committed.seq, body: 'written on the train' }])
    await restarted.outbox.persisted()
    expect(storage.getItem('switchboard:outbox')).toBeNull()
  })

  it('a participant removed from the conversation gets a timeline in error NOT_FOUND, not a stream that silently stops', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [op, bobUser] = await Promise.all([w.user('op', 'operator'), w.user('bob')])
    const conversationId = await w.groupConversation(op, ['bob'])
    const bob = sdk(bobUser)
    const timeline = bob.timeline(conversationId)
    follow(timeline)
    await waitUntil(() => timeline.getSnapshot().status === 'live' && bob.connectionState.status === 'connected', 'bob follows')
    ;(
      await client(t.graphqlUrl)({
        document: RemoveParticipantDocument,
        token: op.token,
        variables: { input: { conversationId, participantExternalId: 'bob' } },
      })
    ).expectData()
    await waitUntil(() => timeline.getSnapshot().status === 'error', 'bob’s timeline ends', 10_000)
    expect(timeline.getSnapshot().error?.code).toBe('NOT_FOUND')
  })

  it('a socket closed with 4401 when its token expires (the refresh ahead of expiry failed) reconnects with a refreshed token and resumes', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = await w.groupConversation(aliceUser, ['bob'])
    const calls: boolean[] = []
    let token = await signToken({ tid: w.tid, sub: 'bob', role: 'member', expiresIn: 2 })
    // The platform's token endpoint fails the first time the SDK asks ahead of expiry: the server's 4401 at
    // expiry is then the fallback.
    let failRefresh = true
    const bob = sdk({
      getToken: async ({ forceRefresh }) => {
        calls.push(forceRefresh)
        if (forceRefresh && failRefresh) {
          failRefresh = false
          throw new Error('token endpoint unavailable')
        }
        if (forceRefresh) token = await signToken({ tid: w.tid, sub: 'bob', role: 'member', expiresIn: 3600 })
        return token
      },
    })
    const codes: number[] = []
    bob.onConnectionChange((s) => s.lastCloseCode !== null && codes.at(-1) !== s.lastCloseCode && codes.push(s.lastCloseCode))
    const timeline = bob.timeline(conversationId)
    follow(timeline)
    const alice = sdk(aliceUser)
    alice.send(conversationId, 'before expiry')
    await waitUntil(() => sent(timeline).length === 1, 'bob gets the first message')
    await waitUntil(() => codes.includes(4401), 'the server closes the socket at expiry', 10_000)
    expect(failRefresh).toBe(false) // the refresh ahead of expiry was tried
    await waitUntil(() => bob.connectionState.status === 'connected', 'bob reconnects', 10_000)
    expect(calls.filter(Boolean).length).toBeGreaterThanOrEqual(2)
    alice.send(conversationId, 'after expiry')
    await waitUntil(() => sent(timeline).length === 2, 'bob gets the message sent after the refresh')
    expect(sent(timeline).map((m) => m.body)).toEqual(['before expiry', 'after expiry'])
  })

  it('a backlog beyond REPLAY_LIMIT is paged over HTTP after a reconnect: every message, in order, once', async () => {
    const small = await startTestApp({ env: { REPLAY_LIMIT: '20' } })
    onTestFinished(() => small.stop())
    const w = tenantWorld(small.graphqlUrl)
    const [aliceUser, bobUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = await w.groupConversation(aliceUser, ['bob'])
    const proxy = await startTcpProxy(small.url)
    onTestFinished(() => proxy.close())
    const alice = sdk(aliceUser, small)
    const bob = sdk(bobUser, proxy)
    const timeline = bob.timeline(conversationId)
    const statuses = follow(timeline)
    await alice.acknowledged(alice.send(conversationId, 'first').clientMessageId)
    await waitUntil(() => sent(timeline).length === 1 && bob.connectionState.status === 'connected', 'bob is live')
    proxy.cut()
    await waitUntil(() => bob.connectionState.status === 'reconnecting', 'bob notices the cut')
    for (let i = 0; i < 45; i++) alice.send(conversationId, `burst ${i}`)
    await alice.outbox.settled()
    proxy.restore()
    await waitUntil(() => sent(timeline).length === 46, 'bob converges', 20_000)
    expect(statuses).toContain('catching-up')
    expect(sent(timeline)).toEqual(await w.messages(aliceUser, conversationId))
    await waitUntil(() => timeline.getSnapshot().status === 'live', 'the timeline is live again')
  })

  it('the inbox, typing, support actions and notifications stay live', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [admin, op, member, service] = await Promise.all([
      w.user('admin', 'admin'),
      w.user('op', 'operator'),
      w.user('member'),
      w.user('svc', 'service'),
    ])
    const run = client(t.graphqlUrl)
    const groupId = (
      await run({ document: CreateGroupDocument, token: admin.token, variables: { input: { name: 'support', memberExternalIds: ['op'] } } })
    ).expectData().createGroup.group.id
    const conversationId = (
      await run({
        document: CreateConversationDocument,
        token: member.token,
        variables: { input: { kind: 'SUPPORT', subject: 'help', groupIds: [groupId] } },
      })
    ).expectData().createConversation.conversation.id
    const memberClient = sdk(member)
    const opClient = sdk(op)

    // Inbox: the operator's list hears of the member's messages, with unread count and last message.
    const inbox = opClient.inbox()
    const offInbox = inbox.subscribe(() => {})
    onTestFinished(offInbox)
    await waitUntil(() => inbox.getSnapshot().status === 'live', 'the inbox is loaded')
    memberClient.send(conversationId, 'hello?')
    memberClient.send(conversationId, 'anyone?')
    await waitUntil(
      () => inbox.getSnapshot().conversations.find((c) => c.id === conversationId)?.unreadCount === 2,
      'two unread in the operator’s inbox',
    )
    expect(inbox.getSnapshot().conversations.find((c) => c.id === conversationId)?.lastMessage?.body).toBe('anyone?')

    // Support: claim (the conversation store takes the answer), then typing reaches the member.
    const detail = opClient.conversation(conversationId)
    const offDetail = detail.subscribe(() => {})
    onTestFinished(offDetail)
    const claimed = await opClient.support.claim(conversationId)
    expect(claimed.assignee?.externalId).toBe('op')
    await waitUntil(() => detail.getSnapshot().conversation?.assignee?.externalId === 'op', 'the conversation store shows the assignee')
    const signals = memberClient.conversationSignals(conversationId)
    const offSignals = signals.subscribe(() => {})
    onTestFinished(offSignals)
    await memberClient.viewer()
    await waitUntil(async () => {
      await opClient.conversationSignals(conversationId).notifyTyping()
      return signals.getSnapshot().typing.some((p) => p.user.externalId === 'op')
    }, 'the member sees the operator typing')

    // Reading moves the unread count in the operator's live inbox.
    const opTimeline = opClient.timeline(conversationId)
    follow(opTimeline)
    await waitUntil(() => sent(opTimeline).length === 2, 'the operator’s timeline is loaded')
    await opClient.markRead(conversationId)
    await waitUntil(
      () => inbox.getSnapshot().conversations.find((c) => c.id === conversationId)?.unreadCount === 0,
      'unread back to 0 in the inbox',
    )

    // Notifications: published by the platform's backend, heard live, marked read.
    const notifications = memberClient.notifications()
    const offNotifications = notifications.subscribe(() => {})
    onTestFinished(offNotifications)
    await waitUntil(() => notifications.getSnapshot().status === 'live', 'notifications loaded')
    await waitUntil(async () => {
      ;(
        await run({
          document: PublishNotificationDocument,
          token: service.token,
          variables: {
            input: { recipientExternalIds: ['member'], type: 'invoice.paid', title: 'Paid', idempotencyKey: `k-${conversationId}` },
          },
        })
      ).expectData()
      return notifications.getSnapshot().items.some((n) => n.title === 'Paid')
    }, 'the notification arrives live')
    expect(notifications.getSnapshot().unreadCount).toBeGreaterThanOrEqual(1)
    await notifications.markRead()
    expect(notifications.getSnapshot().unreadCount).toBe(0)
  })
})

describe('the SDK’s documents', () => {
  it('every operation passes the server’s validation, its depth, cost and token limits included', async () => {
    const documents = await import('../client/src/generated/graphql.js')
    const operations = Object.entries(documents).filter(
      ([name, value]) => name.endsWith('Document') && /^\s*(query|mutation|subscription)\b/.test(String(value)),
    )
    expect(operations.length).toBeGreaterThanOrEqual(25)
    for (const [name, document] of operations) {
      const query = String(document)
      // The server's own validation chain (graphql-armor's limits are validation rules in it).
      const { parse, validate, schema } = t.app.yoga.getEnveloped({
        request: new Request('http://localhost/graphql', { method: 'POST' }),
        params: { query },
      })
      const errors: ReadonlyArray<{ message: string }> = validate(schema, parse(query))
      expect(
        errors.map((e) => e.message),
        name,
      ).toEqual([])
    }
  })
})
