// Several nodes sharing PostgreSQL and Redis: a subscriber on node A receives what is sent through node
// B (a separate OS process), over graphql-ws and SSE; nothing is lost when Redis goes away and comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisUrl, startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { startServerProcess, type ServerProcess } from './kit/process.js'
import { startRedisServer, type RedisServer } from './kit/redis.js'
import { sseSubscribe } from './kit/sse.js'
import { activeSubscriptions, liveSubscriptions, waitUntil } from './kit/ready.js'
import { subscribe, wsClient } from './kit/subscribe.js'
import { Redis } from 'ioredis'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  ConversationEventsDocument,
  ConversationSignalsDocument,
  CreateConversationDocument,
  SendMessageDocument,
} from '../client/generated/graphql.js'

async function setup(graphqlUrl: string) {
  const w = tenantWorld(graphqlUrl)
  const [op, m1, m2] = await Promise.all([w.user('op', 'operator'), w.user('m1'), w.user('m2')])
  const { createConversation } = (
    await client(graphqlUrl)({
      document: CreateConversationDocument,
      token: op.token,
      variables: { input: { kind: 'GROUP', participantExternalIds: ['m1', 'm2'] } },
    })
  ).expectData()
  return { op, m1, m2, conversationId: createConversation.conversation.id }
}

const sendVia = (graphqlUrl: string, user: TestUser, conversationId: string, body: string) =>
  client(graphqlUrl)({
    document: SendMessageDocument,
    token: user.token,
    variables: { input: { conversationId, body, clientMessageId: body } },
  })

describe.runIf(redisUrl())('two nodes sharing Redis', () => {
  let a: TestApp
  let b: ServerProcess
  beforeAll(async () => {
    ;[a, b] = await Promise.all([startTestApp({ redis: true }), startServerProcess({ redisUrl: redisUrl() })])
  })
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
  })

  it('subscribed on node A from seq 0, five messages sent through node B arrive as seq 1..5 in order', async () => {
    const { op, m1, conversationId } = await setup(a.graphqlUrl)
    const before = await activeSubscriptions(a.url, 'conversationEvents')
    const sub = subscribe(a.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    // Live before the sends, so they arrive through Redis rather than as a replay.
    await liveSubscriptions(a.url, 'conversationEvents', before + 1)
    for (let i = 1; i <= 5; i++) (await sendVia(b.graphqlUrl, op, conversationId, `via-b-${i}`)).expectData()
    const events = await sub.waitFor(5)
    expect(events.map((e) => e.conversationEvents.seq)).toEqual([1, 2, 3, 4, 5])
    await sub.close()
  })

  it('subscribing from 0 during a burst of 150 concurrent sends over both nodes yields every seq exactly once', async () => {
    const { op, m1, m2, conversationId } = await setup(a.graphqlUrl)
    const users = [op, m1, m2]
    const sends = Array.from({ length: 150 }, (_, i) =>
      sendVia(i % 2 ? a.graphqlUrl : b.graphqlUrl, users[i % 3]!, conversationId, `burst-${i}`),
    )
    // Subscribe once the burst has committed something, while the rest is still in flight.
    await Promise.race(sends)
    const onA = subscribe(a.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    const onB = subscribe(b.wsUrl, { document: ConversationEventsDocument, token: m2.token, variables: { conversationId, afterSeq: 0 } })
    for (const r of await Promise.all(sends)) r.expectData()
    // One more after the burst: events arrive in seq order, so once it is here a duplicate would be too.
    ;(await sendVia(b.graphqlUrl, op, conversationId, 'after-burst')).expectData()
    await Promise.all([onA.waitFor(151, 30_000), onB.waitFor(151, 30_000)])
    const expected = Array.from({ length: 151 }, (_, i) => i + 1)
    expect(onA.events.map((e) => e.conversationEvents.seq)).toEqual(expected)
    expect(onB.events.map((e) => e.conversationEvents.seq)).toEqual(expected)
    await Promise.all([onA.close(), onB.close()])
  })

  it('opening and closing 1,000 subscriptions on a Redis node releases every listener and Redis channel', async () => {
    const { m1, conversationId } = await setup(a.graphqlUrl)
    const rowId = Buffer.from(conversationId, 'base64').toString().split(':')[1]!
    const broker = a.app.services.broker
    const baseline = broker.listenerCount()
    const redisClient = new Redis(redisUrl()!)
    try {
      const channels = () => redisClient.pubsub('CHANNELS', `switchboard:*:${rowId}`) as Promise<string[]>
      const c = wsClient(a.wsUrl, m1.token)
      for (let round = 0; round < 10; round++) {
        const subs = Array.from({ length: 100 }, (_, i) =>
          i % 2
            ? subscribe(a.wsUrl, { client: c, document: ConversationEventsDocument, variables: { conversationId, afterSeq: 0 } })
            : subscribe(a.wsUrl, { client: c, document: ConversationSignalsDocument, variables: { conversationId } }),
        )
        if (round === 0) {
          // While they are open, the node holds this conversation's channels in Redis.
          await waitUntil(async () => (await channels()).length === 2, "this conversation's two channels are subscribed in Redis")
          expect((await channels()).sort()).toEqual([`switchboard:signal:${rowId}`, `switchboard:timeline:${rowId}`])
        } else await new Promise((r) => setTimeout(r, 50)) // closed while some are still being set up, on purpose
        await Promise.all(subs.map((s) => s.close()))
      }
      await c.dispose()
      // The server may still be setting up subscriptions the client already dropped: wait until the node
      // is back to its baseline and stays there.
      const released = async () => broker.listenerCount() === baseline && (await channels()).length === 0
      for (let i = 0, steady = 0; i < 100 && steady < 3; i++) {
        steady = (await released()) ? steady + 1 : 0
        await new Promise((r) => setTimeout(r, 100))
      }
      const held = () =>
        JSON.stringify(
          [...(broker as unknown as { channels: Map<string, { listeners: Set<unknown> }> }).channels].map(([k, v]) => [
            k,
            v.listeners.size,
          ]),
        )
      expect(broker.listenerCount(), held()).toBe(baseline)
      expect(await channels()).toEqual([])
    } finally {
      redisClient.disconnect()
    }
  })

  it('SSE on node B receives a message sent through node A; a reconnect with Last-Event-ID resumes without loss', async () => {
    const { op, m1, conversationId } = await setup(a.graphqlUrl)
    const before = await activeSubscriptions(b.url, 'conversationEvents')
    const stream = await sseSubscribe(b.graphqlUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId, afterSeq: 0 },
    })
    await liveSubscriptions(b.url, 'conversationEvents', before + 1)
    ;(await sendVia(a.graphqlUrl, op, conversationId, 'sse-1')).expectData()
    const [first] = await stream.waitFor(1)
    expect(first).toMatchObject({ id: '1', data: { conversationEvents: { seq: 1 } } })
    stream.close()
    // Sent while the EventSource is disconnected.
    ;(await sendVia(a.graphqlUrl, op, conversationId, 'sse-2')).expectData()
    ;(await sendVia(a.graphqlUrl, op, conversationId, 'sse-3')).expectData()
    const resumed = await sseSubscribe(b.graphqlUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId },
      lastEventId: first!.id,
    })
    const got = await resumed.waitFor(2)
    expect(got.map((m) => m.id)).toEqual(['2', '3'])
    resumed.close()
  })
})

describe.runIf(redisUrl())('Redis going away', () => {
  let redis: RedisServer
  let a: TestApp
  let b: ServerProcess
  beforeAll(async () => {
    redis = (await startRedisServer())!
    ;[a, b] = await Promise.all([startTestApp({ redis: redis.url }), startServerProcess({ redisUrl: redis.url })])
  })
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    await redis?.stop()
  })

  it('sends still commit; a resuming subscriber receives them; live delivery returns with Redis, without a restart', async () => {
    const { op, m1, conversationId } = await setup(a.graphqlUrl)
    const live = subscribe(a.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    ;(await sendVia(b.graphqlUrl, op, conversationId, 'before-outage')).expectData()
    await live.waitFor(1)

    await redis.stop()
    const during = await sendVia(b.graphqlUrl, op, conversationId, 'during-outage')
    expect(during.expectData().sendMessage.message.seq).toBe(2)
    expect((await fetch(`${a.url}/ready`)).status).toBe(503)
    // A subscriber resuming from its last seq gets what was committed during the outage.
    const resumed = subscribe(a.wsUrl, {
      document: ConversationEventsDocument,
      token: m1.token,
      variables: { conversationId, afterSeq: 1 },
    })
    expect((await resumed.waitFor(1))[0]!.conversationEvents.seq).toBe(2)
    await resumed.close()

    await redis.restart()
    await waitUntil(async () => (await fetch(`${a.url}/ready`)).status === 200, 'node A is ready again')
    await waitUntil(async () => (await fetch(`${b.url}/ready`)).status === 200, 'node B is ready again')
    ;(await sendVia(b.graphqlUrl, op, conversationId, 'after-outage')).expectData()
    // The live subscription, kept open through the outage, catches up and continues: 1, 2, 3.
    const events = await live.waitFor(3, 15_000)
    expect(events.map((e) => e.conversationEvents.seq)).toEqual([1, 2, 3])
    await live.close()
  })

  it('with Redis down, a node still delivers what it commits to its own subscribers at once', async () => {
    const { op, m1, conversationId } = await setup(a.graphqlUrl)
    const before = await activeSubscriptions(a.url, 'conversationEvents')
    const live = subscribe(a.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    await liveSubscriptions(a.url, 'conversationEvents', before + 1)
    await redis.stop()
    try {
      ;(await sendVia(a.graphqlUrl, op, conversationId, 'local-1')).expectData()
      ;(await sendVia(a.graphqlUrl, op, conversationId, 'local-2')).expectData()
      expect((await live.waitFor(2)).map((e) => e.conversationEvents.seq)).toEqual([1, 2])
    } finally {
      await redis.restart()
      await live.close()
    }
  })
})
