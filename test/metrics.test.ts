import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { seedTenant } from './kit/tokens.js'
import { client } from './kit/execute.js'
import { subscribe } from './kit/subscribe.js'
import { sseSubscribe } from './kit/sse.js'
import { liveSubscriptions, waitUntil } from './kit/ready.js'
import { hasRedisServer, startRedisServer } from './kit/redis.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import { rateLimitedWarn, RepeatedWarnings } from '../src/logger.js'
import {
  ConversationEventsDocument,
  CreateConversationDocument,
  InboxEventsDocument,
  MarkDeliveredDocument,
  MarkReadDocument,
  SendMessageDocument,
} from '../client/generated/graphql.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

const metricsText = async (app: TestApp, headers: Record<string, string> = {}) => {
  const response = await fetch(`${app.url}/metrics`, { headers })
  expect(response.status).toBe(200)
  return response.text()
}

/** Sends `count` requests, `batch` at a time; request i comes from make(i). */
async function flood(count: number, make: (i: number) => Promise<Response>, batch = 25) {
  for (let i = 0; i < count; i += batch)
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => make(i + j).then((r) => r.arrayBuffer())))
}

describe('/metrics is safe by default', () => {
  it('a token placed in a URL query string never appears in /metrics', async () => {
    const token = await seedTenant().token('url-token', 'admin')
    const secret = token.split('.')[2]!
    const query = encodeURIComponent('query LeakProbe { viewer { user { id } } }')
    for (const url of [
      `${t.graphqlUrl}?query=${query}&token=${token}`,
      `${t.graphqlUrl}?query=${query}&access_token=${token}&variables=${encodeURIComponent(JSON.stringify({ secret: token }))}`,
      `${t.url}/rest/conversations?token=${token}`,
    ])
      await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer()
    const text = await metricsText(t)
    expect(text).toContain('operationName="LeakProbe"')
    expect(text).not.toContain(secret)
    expect(text).not.toContain('url=')
  })

  // The cap itself (100 names) is pinned by test/unit/bounded-label.test.ts; here, through the server,
  // three times the cap of new names and URLs, then three times more.
  it('/metrics stays bounded after 600 requests with distinct URLs and operation names', async () => {
    const token = await seedTenant().token('flooder', 'member')
    const send = (prefix: string) => (i: number) =>
      fetch(`${t.graphqlUrl}?n=${prefix}${i}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(i % 2 === 0 && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query: `query ${prefix}${i} { __typename }` }),
      })
    await flood(300, send('FirstFlood'))
    const after300 = await metricsText(t)
    await flood(300, send('SecondFlood'))
    const after600 = await metricsText(t)
    // The second 300 distinct names and URLs add no request series: only counter values change.
    // (Process metrics such as GC kinds or handle types may come and go on their own: not counted.)
    const series = (text: string) => text.split('\n').filter((line) => line.startsWith('graphql_')).length
    expect(series(after300)).toBeGreaterThan(0)
    expect(series(after600)).toBe(series(after300))
    expect(after600).not.toContain('SecondFlood')
    expect(after600).toContain('operationName="other"')
    expect(after600.length).toBeLessThan(2_000_000)
    const names = new Set([...after600.matchAll(/operationName="([^"]*)"/g)].map((m) => m[1]))
    expect(names.size).toBe(100 + 1) // the cap, plus "other"
  })

  it('with METRICS_TOKEN, /metrics requires Authorization: Bearer <METRICS_TOKEN>', async () => {
    const metricsToken = 'metrics-token-0123456789abcdef'
    const own = await startTestApp({ env: { METRICS_TOKEN: metricsToken } })
    try {
      expect((await fetch(`${own.url}/metrics`)).status).toBe(401)
      expect((await fetch(`${own.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}x` } })).status).toBe(401)
      expect((await fetch(`${own.url}/metrics?token=${metricsToken}`)).status).toBe(401)
      expect(await metricsText(own, { authorization: `Bearer ${metricsToken}` })).toContain('switchboard_messages_sent_total')
    } finally {
      await own.stop()
    }
  })
})

/** The sum of a metric's samples whose labels include `labels` (0 when there is none). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const own = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]))
    if (Object.entries(labels).every(([k, v]) => own[k] === v)) total += Number(m[3])
  }
  return total
}

async function conversationOf(app: TestApp, prefix?: string) {
  const run = client(app.graphqlUrl)
  const w = tenantWorld(app.graphqlUrl, prefix)
  const [op, m1, m2] = await Promise.all([w.user('op', 'operator'), w.user('m1'), w.user('m2')])
  const { createConversation } = (
    await run({
      document: CreateConversationDocument,
      token: op.token,
      variables: { input: { kind: 'GROUP', participantExternalIds: ['m1', 'm2'] } },
    })
  ).expectData()
  const send = (user: TestUser, body: string, clientMessageId = body) =>
    run({
      document: SendMessageDocument,
      token: user.token,
      variables: { input: { conversationId: createConversation.conversation.id, body, clientMessageId } },
    })
  return { tid: w.tid, run, op, m1, m2, conversationId: createConversation.conversation.id, send }
}

describe('delivery-success metrics', () => {
  it('an event written to a live graphql-ws or SSE subscriber is counted as delivered, with its commit→socket latency', async () => {
    const { m1, m2, op, conversationId, send } = await conversationOf(t)
    const before = await metricsText(t)
    const live = sample(before, 'switchboard_active_subscriptions', { field: 'conversationEvents' })
    const liveInbox = sample(before, 'switchboard_active_subscriptions', { field: 'inboxEvents' })
    const ws = subscribe(t.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId } })
    const sse = await sseSubscribe(t.graphqlUrl, { document: ConversationEventsDocument, token: m2.token, variables: { conversationId } })
    const inbox = subscribe(t.wsUrl, { document: InboxEventsDocument, token: m1.token })
    await liveSubscriptions(t.url, 'conversationEvents', live + 2)
    await liveSubscriptions(t.url, 'inboxEvents', liveInbox + 1)
    ;(await send(op, 'hello')).expectData()
    await ws.waitFor(1)
    await sse.waitFor(1)
    await inbox.waitFor(1)
    await inbox.close()
    const after = await metricsText(t)
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels)
    expect(delta('switchboard_events_delivered_total', { source: 'conversationEvents', transport: 'websocket' })).toBe(1)
    expect(delta('switchboard_events_delivered_total', { source: 'conversationEvents', transport: 'sse' })).toBe(1)
    expect(delta('switchboard_delivery_latency_seconds_count', { transport: 'websocket' })).toBe(1)
    expect(delta('switchboard_delivery_latency_seconds_count', { transport: 'sse' })).toBe(1)
    expect(delta('switchboard_messages_sent_total', { kind: 'GROUP' })).toBe(1)
    // Notification streams (inbox, signals, notifications) are counted the same way, and not timed.
    expect(delta('switchboard_events_delivered_total', { source: 'inboxEvents', transport: 'websocket' })).toBe(inbox.events.length)
    await ws.close()
    sse.close()
  })

  it("a replayed backlog is counted as delivered but not timed (its commit is not this delivery's)", async () => {
    const { m1, op, conversationId, send } = await conversationOf(t)
    for (const body of ['one', 'two', 'three']) (await send(op, body)).expectData()
    const before = await metricsText(t)
    const ws = subscribe(t.wsUrl, { document: ConversationEventsDocument, token: m1.token, variables: { conversationId, afterSeq: 0 } })
    const events = await ws.waitFor(3)
    await ws.close()
    const after = await metricsText(t)
    const delivered = (text: string) =>
      sample(text, 'switchboard_events_delivered_total', { source: 'conversationEvents', transport: 'websocket' })
    expect(delivered(after) - delivered(before)).toBe(events.length)
    expect(sample(after, 'switchboard_delivery_latency_seconds_count') - sample(before, 'switchboard_delivery_latency_seconds_count')).toBe(
      0,
    )
  })

  it('markDelivered and markRead count the seqs they acknowledge, in total and for the tenant', async () => {
    const { tid, run, m1, op, conversationId, send } = await conversationOf(t)
    const seqs: number[] = []
    for (const body of ['a', 'b', 'c']) seqs.push((await send(op, body)).expectData().sendMessage.message.seq)
    const before = await metricsText(t)
    ;(await run({ document: MarkDeliveredDocument, token: m1.token, variables: { input: { conversationId, seq: seqs[1]! } } })).expectData()
    ;(await run({ document: MarkReadDocument, token: m1.token, variables: { input: { conversationId, seq: seqs[2]! } } })).expectData()
    // Again: nothing moves, nothing is counted.
    ;(await run({ document: MarkReadDocument, token: m1.token, variables: { input: { conversationId, seq: seqs[2]! } } })).expectData()
    const after = await metricsText(t)
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels)
    // m1's positions start at 0: delivered moves to the second message, then (markRead) to the third;
    // read moves once, to the third. Seqs, not calls: the creation's own timeline events count too.
    expect(delta('switchboard_deliveries_acknowledged_total', { kind: 'delivered' })).toBe(seqs[2]!)
    expect(delta('switchboard_deliveries_acknowledged_total', { kind: 'read' })).toBe(seqs[2]!)
    expect(delta('switchboard_tenant_deliveries_acknowledged_total', { tenant: tid })).toBe(seqs[2]!)
    expect(sample(after, 'switchboard_tenant_messages_sent_total', { tenant: tid })).toBe(3)
  })
})

describe('send refusals, REST traffic and the tenant label', () => {
  it('every refused send is counted once, by the code the client sees (CONFLICT, BAD_USER_INPUT, NOT_FOUND)', async () => {
    const { op, send, run, conversationId } = await conversationOf(t)
    const outsider = await tenantWorld(t.graphqlUrl).user('outsider', 'member')
    ;(await send(op, 'original', 'cid-1')).expectData()
    const before = await metricsText(t)
    ;(await send(op, 'a different body', 'cid-1')).expectError('CONFLICT')
    ;(await send(op, '   ', 'cid-2')).expectError('BAD_USER_INPUT')
    ;(
      await run({
        document: SendMessageDocument,
        token: op.token,
        variables: { input: { conversationId: 'not-a-global-id', body: 'x', clientMessageId: 'cid-3' } },
      })
    ).expectError('BAD_USER_INPUT')
    ;(
      await run({
        document: SendMessageDocument,
        token: outsider.token,
        variables: { input: { conversationId, body: 'x', clientMessageId: 'cid-4' } },
      })
    ).expectError('NOT_FOUND')
    // A retry with the same body is a replay, not a refusal.
    ;(await send(op, 'original', 'cid-1')).expectData()
    const after = await metricsText(t)
    const delta = (code: string) =>
      sample(after, 'switchboard_message_send_rejected_total', { code }) -
      sample(before, 'switchboard_message_send_rejected_total', { code })
    expect([delta('CONFLICT'), delta('BAD_USER_INPUT'), delta('NOT_FOUND')]).toEqual([1, 2, 1])
    expect(sample(after, 'switchboard_message_send_rejected_total') - sample(before, 'switchboard_message_send_rejected_total')).toBe(4)
    expect(sample(after, 'switchboard_message_send_replays_total') - sample(before, 'switchboard_message_send_replays_total')).toBe(1)
  })

  it('REST requests are counted by route and status; ids and unknown paths never become labels', async () => {
    const { op, conversationId } = await conversationOf(t)
    const before = await metricsText(t)
    const rest = (path: string, body?: unknown) =>
      fetch(`${t.url}/rest/${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${op.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then(async (r) => (await r.arrayBuffer(), r.status))
    expect(await rest('conversations?first=5')).toBe(200)
    expect(await rest('send-message', { input: { conversationId, body: 'via REST', clientMessageId: 'rest-1' } })).toBe(200)
    expect(await rest('send-message', { input: { conversationId, body: 'changed', clientMessageId: 'rest-1' } })).toBe(409)
    expect(await rest(`no-such-route/${conversationId}`)).toBe(404)
    const after = await metricsText(t)
    const delta = (labels: Record<string, string>) =>
      sample(after, 'switchboard_rest_requests_total', labels) - sample(before, 'switchboard_rest_requests_total', labels)
    expect(delta({ route: 'conversations', status: '200' })).toBe(1)
    expect(delta({ route: 'send-message', status: '200' })).toBe(1)
    expect(delta({ route: 'send-message', status: '409' })).toBe(1)
    expect(delta({ route: 'other', status: '404' })).toBe(1)
    expect(
      sample(after, 'switchboard_rest_request_duration_seconds_count', { route: 'send-message' }) -
        sample(before, 'switchboard_rest_request_duration_seconds_count', { route: 'send-message' }),
    ).toBe(2)
    // The REST send went through the same service: counted as sent and as refused like any other.
    expect(
      sample(after, 'switchboard_message_send_rejected_total', { code: 'CONFLICT' }) -
        sample(before, 'switchboard_message_send_rejected_total', { code: 'CONFLICT' }),
    ).toBe(1)
    expect(after).not.toContain(conversationId)
  })

  it('with METRICS_MAX_TENANT_LABELS=1 the first tenant keeps its label and the next is "other"; sends over either rate limit count as RATE_LIMITED', async () => {
    const own = await startTestApp({
      env: { METRICS_MAX_TENANT_LABELS: '1', RATE_LIMIT_SENDS_PER_USER: '2', RATE_LIMIT_OPERATIONS_PER_USER: '5' },
    })
    try {
      const first = await conversationOf(own, 'first')
      ;(await first.send(first.op, 'one')).expectData()
      const second = await conversationOf(own, 'second')
      ;(await second.send(second.op, 'two')).expectData()
      ;(await second.send(second.op, 'three')).expectData()
      // The sends limit refuses the third send in its resolver; the operations limit (op's sixth operation:
      // sign-in, create, four sends) refuses the next before any resolver runs. Each is counted once.
      expect((await second.send(second.op, 'four')).expectError('RATE_LIMITED').message).toMatch(/messages sent/)
      expect((await second.send(second.op, 'five')).expectError('RATE_LIMITED').message).not.toMatch(/messages sent/)
      ;(
        await second.run({
          document: MarkReadDocument,
          token: second.m1.token,
          variables: { input: { conversationId: second.conversationId, seq: 1000 } },
        })
      ).expectData()
      const text = await metricsText(own)
      expect(sample(text, 'switchboard_tenant_messages_sent_total', { tenant: first.tid })).toBe(1)
      expect(sample(text, 'switchboard_tenant_messages_sent_total', { tenant: 'other' })).toBe(2)
      expect(text).not.toContain(second.tid)
      expect(sample(text, 'switchboard_tenant_deliveries_acknowledged_total', { tenant: 'other' })).toBeGreaterThanOrEqual(2)
      expect(sample(text, 'switchboard_message_send_rejected_total', { code: 'RATE_LIMITED' })).toBe(2)
      expect(new Set([...text.matchAll(/tenant="([^"]*)"/g)].map((m) => m[1]))).toEqual(new Set([first.tid, 'other']))
    } finally {
      await own.stop()
    }
  })
})

describe('repeated infrastructure warnings are rate-limited', () => {
  it('the rule: the first occurrence is logged, the rest of its window counted, one summary per window, then quiet', () => {
    const w = new RepeatedWarnings<string>(1000)
    expect(w.hit('redis.publish', 0, 'a')).toBe(true)
    expect([1, 2, 999].map((now) => w.hit('redis.publish', now, `at ${now}`))).toEqual([false, false, false])
    // Another key has its own window.
    expect(w.hit('database.connection', 500, 'b')).toBe(true)
    expect(w.nextDue()).toBe(1000)
    expect(w.due(999)).toEqual([])
    // The window ends with 3 held back: one summary (with the latest detail), and a new window opens.
    expect(w.due(1000)).toEqual([{ key: 'redis.publish', suppressed: 3, last: 'at 999' }])
    expect(w.hit('redis.publish', 1500, 'c')).toBe(false)
    // database.connection's window ended with nothing held back: it closes without a line.
    expect(w.due(2000)).toEqual([{ key: 'redis.publish', suppressed: 1, last: 'c' }])
    expect(w.hit('database.connection', 2001, 'd')).toBe(true)
    // A window that ends quiet closes; the next occurrence is logged at once again.
    expect(w.due(3000)).toEqual([])
    expect(w.hit('redis.publish', 3001, 'e')).toBe(true)
  })

  it('rateLimitedWarn writes the first line at once and a summary with the count when the interval ends', async () => {
    const lines: Array<{ msg: string; suppressed?: number; warning?: string; topic?: string }> = []
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)))
        done()
      },
    })
    const warn = rateLimitedWarn(pino({ level: 'warn' }, sink), 200)
    try {
      for (let i = 0; i < 50; i++) warn('redis.publish', { topic: 'timeline' }, 'publish failed')
      expect(lines).toEqual([expect.objectContaining({ msg: 'publish failed', warning: 'redis.publish', topic: 'timeline' })])
      await waitUntil(() => lines.length === 2, 'the summary line')
      expect(lines[1]).toMatchObject({ msg: 'publish failed (repeated)', suppressed: 49, warning: 'redis.publish' })
    } finally {
      warn.close()
    }
  })

  it("graphile-worker's console.trace (a worker's error, printed as a plain-text stack) becomes a JSON warning while the outbox runs", () => {
    const before = t.logs.length
    console.trace(new Error('worker exited: connect ECONNREFUSED'))
    const lines = t.logs.slice(before).map((l) => JSON.parse(l) as { msg: string; err?: string; warning?: string })
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'outbox worker error', warning: 'outbox.trace', err: 'Error: worker exited: connect ECONNREFUSED' }),
    ])
  })

  describe.runIf(hasRedisServer())('with Redis stopped', () => {
    it('many sends fail to publish, and the log says so once', async () => {
      const redis = (await startRedisServer())!
      const app = await startTestApp({ redis: redis.url })
      try {
        const { op, send } = await conversationOf(app)
        await redis.stop()
        // The node has noticed (its publisher is no longer ready): every publish now fails.
        await waitUntil(async () => (await fetch(`${app.url}/ready`)).status === 503, 'the node reports Redis down')
        const before = sample(await metricsText(app), 'switchboard_publish_failures_total')
        for (let i = 0; i < 30; i++) (await send(op, `during outage ${i}`)).expectData()
        // Every send's publish fails (a publish written just as the connection died fails when ioredis gives up on it).
        const failures = async () => sample(await metricsText(app), 'switchboard_publish_failures_total') - before
        await waitUntil(async () => (await failures()) >= 30, '30 failed publishes')
        const lines = app.logs.map((line) => JSON.parse(line) as { msg: string; level: number; warning?: string })
        const warnings = lines.filter((l) => l.msg.startsWith('publish failed'))
        // LOG_REPEAT_INTERVAL_MS is a minute: the first failure only (a summary follows when it ends).
        expect(warnings).toHaveLength(1)
        expect(warnings[0]!.level).toBe(40)
        // The Redis clients' own connection errors (one per reconnect attempt) are held back the same way.
        const perKey = new Map<string, number>()
        for (const l of lines) if (l.warning) perKey.set(l.warning, (perKey.get(l.warning) ?? 0) + 1)
        expect([...perKey.values()].every((n) => n === 1)).toBe(true)
      } finally {
        await app.stop()
        await redis.stop()
      }
    })
  })
})
