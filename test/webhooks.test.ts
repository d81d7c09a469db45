// Webhooks through the public API against a real receiver on 127.0.0.1 (so WEBHOOK_ALLOW_PRIVATE=true
// here; the SSRF tests run without it): Standard Webhooks signatures, retries with the same webhook-id,
// dead letters and redelivery, the transactional outbox (rollback, several dispatching processes).
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Webhook } from 'standardwebhooks'
import { outboxNamespace, startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { startServerProcess, type ServerProcess } from './kit/process.js'
import { asTenant } from '../src/db/row-security.js'
import { startReceiver } from './kit/receiver.js'
import { outboxDrained, outboxJobs, sql } from './kit/outbox.js'
import { waitUntil } from './kit/ready.js'
import { tenantWorld } from './kit/world.js'
import {
  CreateConversationDocument,
  CreateWebhookEndpointDocument,
  NodeDocument,
  NotificationsDocument,
  RedeliverWebhookDocument,
  SendMessageDocument,
  UpdateConversationDocument,
  UpdateWebhookEndpointDocument,
  WebhookEndpointsDocument,
} from '../client/generated/graphql.js'
import { outboxEvent } from '../src/outbox/events.js'
import { messageCreatedEventSql } from '../src/modules/webhooks/events.js'
import { Prisma } from '../src/generated/prisma/client.js'
import { sendWebhook } from '../src/modules/webhooks/send.js'

const MAX_ATTEMPTS = 3
let t: TestApp
let run: ReturnType<typeof client>
let namespace: string

beforeAll(async () => {
  namespace = outboxNamespace()
  t = await startTestApp({
    env: {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_RETRY_BASE_MS: '20',
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      WEBHOOK_TIMEOUT_MS: '2000',
      NOTIFY_DELAY_MS: '20',
      OUTBOX_NAMESPACE: namespace,
    },
  })
  run = client(t.graphqlUrl)
})
afterAll(async () => {
  await t?.stop()
})

/** A tenant with an admin, two members, a conversation between them and an endpoint at `url`. */
async function world(url: string, eventTypes = ['message.created']) {
  const w = tenantWorld(t.graphqlUrl, 'webhooks')
  const [admin, m1, m2] = await Promise.all([w.user('admin', 'admin'), w.user('m1'), w.user('m2')])
  const { createWebhookEndpoint } = (
    await run({ document: CreateWebhookEndpointDocument, token: admin.token, variables: { input: { url, eventTypes } } })
  ).expectData()
  const { createConversation } = (
    await run({
      document: CreateConversationDocument,
      token: m1.token,
      variables: { input: { kind: 'GROUP', participantExternalIds: ['m2'] } },
    })
  ).expectData()
  const send = (body: string, clientMessageId = randomUUID()) =>
    run({
      document: SendMessageDocument,
      token: m1.token,
      variables: { input: { conversationId: createConversation.conversation.id, body, clientMessageId } },
    })
  return {
    w,
    admin,
    m1,
    m2,
    endpoint: createWebhookEndpoint.endpoint,
    secret: createWebhookEndpoint.secret,
    conversationId: createConversation.conversation.id,
    send,
  }
}

const deliveries = async (token: string) =>
  (await run({ document: WebhookEndpointsDocument, token }))
    .expectData()
    .webhookEndpoints.flatMap((e) => e.deliveries.edges.map((d) => d.node))

describe('signed deliveries (Standard Webhooks)', () => {
  it('a sent message reaches the endpoint as a signed message.created that the standardwebhooks library verifies; a tampered body does not verify', async () => {
    const receiver = await startReceiver()
    try {
      const { secret, send, conversationId, m1 } = await world(receiver.url)
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/)
      const { sendMessage } = (await send('Hello, webhook')).expectData()
      const [request] = await receiver.waitFor(1)
      const headers = {
        'webhook-id': String(request!.headers['webhook-id']),
        'webhook-timestamp': String(request!.headers['webhook-timestamp']),
        'webhook-signature': String(request!.headers['webhook-signature']),
      }
      const verified = new Webhook(secret).verify(request!.body, headers) as { type: string; timestamp: string; data: any }
      expect(verified.type).toBe('message.created')
      expect(verified.data.message).toMatchObject({
        id: sendMessage.message.id,
        seq: sendMessage.message.seq,
        body: 'Hello, webhook',
        sender: { id: m1.id, externalId: 'm1' },
      })
      expect(verified.data.conversation).toMatchObject({ id: conversationId, kind: 'GROUP' })
      expect(Number.isNaN(Date.parse(verified.timestamp))).toBe(false)
      expect(() => new Webhook(secret).verify(request!.body.replace('Hello, webhook', 'Hello, attacker'), headers)).toThrow()
      expect(() =>
        new Webhook(`whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`).verify(request!.body, headers),
      ).toThrow()
    } finally {
      await receiver.close()
    }
  })

  it('an endpoint only gets the event types it subscribed to: conversation.created carries the participants', async () => {
    const receiver = await startReceiver()
    try {
      const { m1, m2, admin, send } = await world(receiver.url, ['conversation.created'])
      const { createConversation } = (
        await run({
          document: CreateConversationDocument,
          token: admin.token,
          variables: { input: { kind: 'GROUP', subject: 'Billing', participantExternalIds: ['m1', 'm2'] } },
        })
      ).expectData()
      ;(await send('not subscribed')).expectData()
      await receiver.waitFor(2) // world() created one conversation, the admin another
      await outboxDrained(namespace)
      const bodies = receiver.requests.map((r) => JSON.parse(r.body) as { type: string; data: any })
      expect(bodies.map((b) => b.type)).toEqual(['conversation.created', 'conversation.created'])
      const billing = bodies.find((b) => b.data.conversation.subject === 'Billing')!
      expect(billing.data.conversation.id).toBe(createConversation.conversation.id)
      expect(billing.data.conversation.participants.map((p: { id: string }) => p.id).sort()).toEqual([admin.id, m1.id, m2.id].sort())
      expect(billing.data.conversation.createdBy).toEqual({ id: admin.id, externalId: 'admin' })
    } finally {
      await receiver.close()
    }
  })
})

describe('conversation.closed', () => {
  it('closing a conversation sends conversation.closed once, naming who closed it', async () => {
    const receiver = await startReceiver()
    try {
      const { admin, conversationId } = await world(receiver.url, ['conversation.closed'])
      ;(
        await run({ document: UpdateConversationDocument, token: admin.token, variables: { input: { conversationId, status: 'CLOSED' } } })
      ).expectData()
      ;(
        await run({
          document: UpdateConversationDocument,
          token: admin.token,
          variables: { input: { conversationId, subject: 'closed already' } },
        })
      ).expectData()
      const [request] = await receiver.waitFor(1)
      await outboxDrained(namespace)
      expect(receiver.requests).toHaveLength(1)
      expect(JSON.parse(request!.body)).toMatchObject({
        type: 'conversation.closed',
        data: { conversation: { id: conversationId, kind: 'GROUP' }, closedBy: { id: admin.id, externalId: 'admin' } },
      })
    } finally {
      await receiver.close()
    }
  })
})

describe('metrics', () => {
  it('/metrics shows the outbox depth and oldest age, attempts and deliveries by result, and dead letters', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 500 : 200))
    try {
      const { send } = await world(receiver.url)
      ;(await send('measured')).expectData()
      await receiver.waitFor(2)
      await outboxDrained(namespace)
      const text = await (await fetch(`${t.url}/metrics`)).text()
      const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1])
      expect(value('switchboard_outbox_depth')).toBeGreaterThanOrEqual(0)
      expect(value('switchboard_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0)
      expect(value('switchboard_webhook_attempts_total{result="http_error"}')).toBeGreaterThanOrEqual(1)
      expect(value('switchboard_webhook_attempts_total{result="success"}')).toBeGreaterThanOrEqual(1)
      expect(value('switchboard_webhook_deliveries_total{result="succeeded"}')).toBeGreaterThanOrEqual(1)
      expect(value('switchboard_webhook_deliveries_total{result="retry_scheduled"}')).toBeGreaterThanOrEqual(1)
      expect(text).toMatch(/^switchboard_webhook_dead_letters_total \d+/m)
      expect(text).toMatch(/^# TYPE switchboard_notifications_created_total counter/m)
    } finally {
      await receiver.close()
    }
  })
})

describe('retries, dead letters, redelivery', () => {
  it('a receiver answering 500 twice then 200 gets the event on the third attempt, with the same webhook-id each time', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200))
    try {
      const { send, admin } = await world(receiver.url)
      ;(await send('third time lucky')).expectData()
      const requests = await receiver.waitFor(3)
      expect(requests.map((r) => r.status)).toEqual([500, 500, 200])
      expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1)
      expect(new Set(requests.map((r) => r.body)).size).toBe(1)
      await waitUntil(async () => (await deliveries(admin.token))[0]?.status === 'SUCCEEDED', 'the delivery log says SUCCEEDED')
      const [delivery] = await deliveries(admin.token)
      expect(delivery).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 3,
        lastStatusCode: 200,
        webhookId: requests[0]!.headers['webhook-id'],
      })
    } finally {
      await receiver.close()
    }
  })

  it('an always-failing receiver is dead-lettered after WEBHOOK_MAX_ATTEMPTS, visible in the delivery log, and redeliver sends it again', async () => {
    const startedAt = Date.now()
    let failing = true
    const receiver = await startReceiver(() => (failing ? 503 : 204))
    try {
      const { send, admin } = await world(receiver.url)
      ;(await send('never accepted')).expectData()
      await receiver.waitFor(MAX_ATTEMPTS)
      await waitUntil(async () => (await deliveries(admin.token))[0]?.status === 'DEAD_LETTERED', 'the delivery is dead-lettered')
      const [dead] = await deliveries(admin.token)
      expect(dead).toMatchObject({
        status: 'DEAD_LETTERED',
        attempts: MAX_ATTEMPTS,
        lastStatusCode: 503,
        lastError: 'HTTP 503',
        eventType: 'message.created',
      })
      expect(Date.parse(dead!.deadLetteredAt as string)).toBeGreaterThanOrEqual(startedAt)
      expect((dead!.payload as { type: string }).type).toBe('message.created')
      expect(
        (await run({ document: WebhookEndpointsDocument, token: admin.token, variables: { status: 'DEAD_LETTERED' } })).expectData()
          .webhookEndpoints[0]!.deliveries.edges,
      ).toHaveLength(1)
      expect(receiver.requests).toHaveLength(MAX_ATTEMPTS)

      failing = false
      const { redeliverWebhook } = (
        await run({ document: RedeliverWebhookDocument, token: admin.token, variables: { input: { deliveryId: dead!.id } } })
      ).expectData()
      expect(redeliverWebhook.delivery.status).toBe('PENDING')
      const requests = await receiver.waitFor(MAX_ATTEMPTS + 1)
      expect(requests[MAX_ATTEMPTS]!.status).toBe(204)
      expect(requests[MAX_ATTEMPTS]!.headers['webhook-id']).toBe(requests[0]!.headers['webhook-id'])
      await waitUntil(async () => (await deliveries(admin.token))[0]?.status === 'SUCCEEDED', 'the redelivery succeeded')
      // Only a dead-lettered delivery can be redelivered.
      ;(await run({ document: RedeliverWebhookDocument, token: admin.token, variables: { input: { deliveryId: dead!.id } } })).expectError(
        'BAD_USER_INPUT',
      )
    } finally {
      await receiver.close()
    }
  })

  it('an endpoint that keeps dead-lettering is disabled after WEBHOOK_DISABLE_AFTER_DEAD_LETTERS, and enabling it again works', async () => {
    const startedAt = Date.now()
    const app = await startTestApp({
      env: {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_BASE_MS: '5',
        WEBHOOK_MAX_ATTEMPTS: '1',
        WEBHOOK_DISABLE_AFTER_DEAD_LETTERS: '2',
      },
    })
    const receiver = await startReceiver(() => 500)
    try {
      const w = tenantWorld(app.graphqlUrl, 'webhooks')
      const [admin, m1] = await Promise.all([w.user('admin', 'admin'), w.user('m1'), w.user('m2')])
      const runOwn = client(app.graphqlUrl)
      const { createWebhookEndpoint } = (
        await runOwn({
          document: CreateWebhookEndpointDocument,
          token: admin.token,
          variables: { input: { url: receiver.url, eventTypes: ['conversation.created'] } },
        })
      ).expectData()
      for (let i = 0; i < 2; i++)
        (
          await runOwn({
            document: CreateConversationDocument,
            token: m1.token,
            variables: { input: { kind: 'GROUP', participantExternalIds: ['m2'], subject: `c${i}` } },
          })
        ).expectData()
      await waitUntil(
        async () =>
          (await runOwn({ document: WebhookEndpointsDocument, token: admin.token })).expectData().webhookEndpoints[0]?.enabled === false,
        'the endpoint is disabled',
      )
      const [endpoint] = (await runOwn({ document: WebhookEndpointsDocument, token: admin.token })).expectData().webhookEndpoints
      expect(Date.parse(endpoint!.disabledAt as string)).toBeGreaterThanOrEqual(startedAt)
      const { updateWebhookEndpoint } = (
        await runOwn({
          document: UpdateWebhookEndpointDocument,
          token: admin.token,
          variables: { input: { endpointId: createWebhookEndpoint.endpoint.id, enabled: true } },
        })
      ).expectData()
      expect(updateWebhookEndpoint.endpoint.enabled).toBe(true)
    } finally {
      await receiver.close()
      await app.stop()
    }
  })
})

describe('the transactional outbox', () => {
  it('a change that rolls back enqueues nothing; concurrent retries of one send produce one message.created', async () => {
    const receiver = await startReceiver()
    try {
      const { send, w } = await world(receiver.url)
      // A transaction that enqueues and then fails: no job exists afterwards.
      const event = outboxEvent(randomUUID(), 'message.created', {} as never)
      await expect(
        t.app.services.prisma.$transaction(async (tx) => {
          await t.app.services.outbox.enqueue(tx, event)
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect((await outboxJobs(namespace)).filter((j) => (j.payload as { id?: string }).id === event.id)).toEqual([])
      // Ten concurrent sends of one message: nine roll back (unique key) and enqueue nothing.
      const clientMessageId = randomUUID()
      const results = await Promise.all(Array.from({ length: 10 }, () => send('once', clientMessageId)))
      for (const r of results) r.expectData()
      await receiver.waitFor(1)
      await outboxDrained(namespace)
      expect(receiver.requests).toHaveLength(1)
      const rows = await sql<{ n: string }>(
        `select count(*) as n from "WebhookDelivery" d join "Tenant" t on t.id = d."tenantId" where t."externalId" = $1`,
        [w.tid],
      )
      expect(Number(rows[0]!.n)).toBe(1)
    } finally {
      await receiver.close()
    }
  })

  it("a server killed (SIGKILL) right after a send commits still delivers that send's webhook once a server runs again", async () => {
    const receiver = await startReceiver()
    const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '20', OUTBOX_NAMESPACE: outboxNamespace(), NOTIFY_DELAY_MS: '20' }
    // The first server commits but does not dispatch (OUTBOX_WORKER=false): the kill surely comes first.
    const first = await startServerProcess({ env: { ...env, OUTBOX_WORKER: 'false' } })
    let second: ServerProcess | undefined
    let killed = false
    try {
      const { m1, conversationId } = await world(receiver.url)
      const { sendMessage } = (
        await client(first.graphqlUrl)({
          document: SendMessageDocument,
          token: m1.token,
          variables: { input: { conversationId, body: 'survives a crash', clientMessageId: randomUUID() } },
        })
      ).expectData()
      await new Promise<void>((resolve) => {
        first.child.once('exit', () => resolve())
        first.child.kill('SIGKILL')
      })
      killed = true
      expect(receiver.requests).toHaveLength(0)
      expect((await outboxJobs(env.OUTBOX_NAMESPACE)).map((j) => j.task_identifier)).toEqual([`${env.OUTBOX_NAMESPACE}:outbox_event`])
      second = await startServerProcess({ env })
      const [request] = await receiver.waitFor(1, 30_000)
      expect((JSON.parse(request!.body) as { data: { message: { id: string } } }).data.message.id).toBe(sendMessage.message.id)
    } finally {
      await Promise.all([killed ? undefined : first.stop(), second?.stop()])
      await receiver.close()
    }
  })

  it('a single-statement write can enqueue in the same statement (Outbox.enqueueSql + messageCreatedEventSql): the receiver gets the same event as from sendMessage', async () => {
    const receiver = await startReceiver()
    try {
      const { send, m1, w } = await world(receiver.url)
      const { sendMessage } = (await send('one statement')).expectData()
      const [fromService] = await receiver.waitFor(1)
      const { prisma, outbox } = t.app.services
      const tenant = await prisma.tenant.findUniqueOrThrow({ where: { externalId: w.tid } })
      const db = t.app.services.tenantDbs.for(tenant.id)
      const viewer = await db.user.findFirstOrThrow({ where: { externalId: 'm1' } })
      const messageId = Buffer.from(sendMessage.message.id, 'base64').toString().split(':')[1]!
      const row = await db.message.findUniqueOrThrow({ where: { id: messageId }, include: { conversation: true } })
      const event = messageCreatedEventSql(
        {
          tenantId: viewer.tenantId,
          tenantExternalId: w.tid,
          userId: viewer.id,
          externalId: 'm1',
          role: 'MEMBER',
          displayName: 'm1',
          expiresAt: undefined,
        },
        row.conversation,
        row,
        { seq: Prisma.sql`m.seq`, createdAt: Prisma.sql`m."createdAt"` },
      )
      await asTenant(
        tenant.id,
        () =>
          prisma.$executeRaw`WITH m AS (SELECT seq, "createdAt" FROM "Message" WHERE id = ${messageId}::uuid) SELECT ${outbox.enqueueSql(event)} FROM m`,
      )
      const [, fromStatement] = await receiver.waitFor(2)
      const data = (r: typeof fromService) => (JSON.parse(r!.body) as { data: unknown }).data
      expect(data(fromStatement)).toEqual(data(fromService))
      expect(fromStatement!.headers['webhook-id']).not.toBe(fromService!.headers['webhook-id'])
      expect(m1.id).toBe((data(fromStatement) as { message: { sender: { id: string } } }).message.sender.id)
    } finally {
      await receiver.close()
    }
  })

  describe('two server processes dispatching one outbox', () => {
    let p1: ServerProcess
    let p2: ServerProcess
    beforeAll(async () => {
      const env = {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_BASE_MS: '20',
        WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        OUTBOX_NAMESPACE: namespace,
        NOTIFY_DELAY_MS: '20',
      }
      ;[p1, p2] = await Promise.all([startServerProcess({ env }), startServerProcess({ env })])
    })
    afterAll(async () => {
      await Promise.all([p1?.stop(), p2?.stop()])
    })

    it('every event reaches the receiver and each webhook-id is processed once (no duplicate attempts)', async () => {
      const receiver = await startReceiver()
      try {
        const { m1, conversationId } = await world(receiver.url)
        const N = 30
        await Promise.all(
          Array.from({ length: N }, (_, i) =>
            client([p1, p2][i % 2]!.graphqlUrl)({
              document: SendMessageDocument,
              token: m1.token,
              variables: { input: { conversationId, body: `m${i}`, clientMessageId: `m${i}` } },
            }).then((r) => r.expectData()),
          ),
        )
        await receiver.waitFor(N, 30_000)
        await outboxDrained(namespace)
        const ids = receiver.requests.map((r) => r.headers['webhook-id'])
        expect(new Set(ids).size).toBe(N)
        expect(ids).toHaveLength(N)
        expect(
          new Set(receiver.requests.map((r) => (JSON.parse(r.body) as { data: { message: { body: string } } }).data.message.body)).size,
        ).toBe(N)
      } finally {
        await receiver.close()
      }
    })

    it('an endpoint created through one node receives the very next message sent through the other; messages sent while none is subscribed, or while it is disabled, are not delivered and still notify', async () => {
      const receiver = await startReceiver()
      try {
        const w = tenantWorld(t.graphqlUrl, 'webhooks')
        const [admin, m1, m2] = await Promise.all([w.user('admin', 'admin'), w.user('m1'), w.user('m2')])
        const { createConversation } = (
          await run({
            document: CreateConversationDocument,
            token: m1.token,
            variables: { input: { kind: 'GROUP', participantExternalIds: ['m2'] } },
          })
        ).expectData()
        const conversationId = createConversation.conversation.id
        const send = async (body: string) =>
          (
            await client(p1.graphqlUrl)({
              document: SendMessageDocument,
              token: m1.token,
              variables: { input: { conversationId, body, clientMessageId: randomUUID() } },
            })
          ).expectData().sendMessage.message
        const onP2 = client(p2.graphqlUrl)

        // No endpoint yet: nothing is delivered, and the unread-message rule still runs.
        await send('before any endpoint')
        await outboxDrained(namespace)
        const unread = (await run({ document: NotificationsDocument, token: m2.token, variables: {} }))
          .expectData()
          .notifications.edges.map((e) => e.node)
        expect(unread).toMatchObject([{ type: 'message.unread', body: 'before any endpoint' }])

        const { createWebhookEndpoint } = (
          await onP2({
            document: CreateWebhookEndpointDocument,
            token: admin.token,
            variables: { input: { url: receiver.url, eventTypes: ['message.created'] } },
          })
        ).expectData()
        const next = await send('right after the endpoint')
        const [first] = await receiver.waitFor(1)
        expect((JSON.parse(first!.body) as { data: { message: { id: string } } }).data.message.id).toBe(next.id)

        const endpointId = createWebhookEndpoint.endpoint.id
        ;(
          await onP2({ document: UpdateWebhookEndpointDocument, token: admin.token, variables: { input: { endpointId, enabled: false } } })
        ).expectData()
        await send('while disabled')
        ;(
          await onP2({ document: UpdateWebhookEndpointDocument, token: admin.token, variables: { input: { endpointId, enabled: true } } })
        ).expectData()
        const enabledAgain = await send('enabled again')
        await receiver.waitFor(2)
        await outboxDrained(namespace)
        expect(receiver.requests.map((r) => (JSON.parse(r.body) as { data: { message: { id: string } } }).data.message.id)).toEqual([
          next.id,
          enabledAgain.id,
        ])
        expect((await deliveries(admin.token)).map((d) => d.status)).toEqual(['SUCCEEDED', 'SUCCEEDED'])
      } finally {
        await receiver.close()
      }
    })
  })
})

describe('who may manage webhooks, and where they may point (SSRF)', () => {
  let strict: TestApp
  beforeAll(async () => {
    strict = await startTestApp()
  })
  afterAll(async () => {
    await strict?.stop()
  })

  it.each([
    ['loopback', 'http://127.0.0.1:8080/hooks'],
    ['a private network', 'http://10.1.2.3/hooks'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['a name resolving to loopback', 'http://localhost:4000/hooks'],
    ['IPv6 loopback', 'http://[::1]/hooks'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/hooks'],
    ['192.168.x', 'https://192.168.0.10/hooks'],
    ['not http', 'ftp://example.com/hooks'],
  ])('a URL on %s is refused with BAD_USER_INPUT by default', async (_name, url) => {
    const w = tenantWorld(strict.graphqlUrl, 'ssrf')
    const admin = await w.user('admin', 'admin')
    const run = client(strict.graphqlUrl)
    const error = (
      await run({
        document: CreateWebhookEndpointDocument,
        token: admin.token,
        variables: { input: { url, eventTypes: ['message.created'] } },
      })
    ).expectError('BAD_USER_INPUT')
    expect(error.extensions?.['field']).toBe('url')
    expect((await run({ document: WebhookEndpointsDocument, token: admin.token })).expectData().webhookEndpoints).toEqual([])
  })

  it('delivery re-checks the address it connects to: a private address or a name resolving to one is never contacted', async () => {
    const receiver = await startReceiver()
    try {
      const base = {
        secret: `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`,
        webhookId: 'msg_test',
        body: '{}',
        timeoutMs: 2000,
        allowPrivate: false,
      }
      expect((await sendWebhook({ ...base, url: receiver.url })).result).toBe('blocked')
      expect((await sendWebhook({ ...base, url: receiver.url.replace('127.0.0.1', 'localhost') })).result).toBe('blocked')
      expect(receiver.requests).toHaveLength(0)
      expect((await sendWebhook({ ...base, url: receiver.url, allowPrivate: true })).result).toBe('success')
    } finally {
      await receiver.close()
    }
  })

  it('only admins register endpoints; another tenant sees none of them', async () => {
    const w = tenantWorld(t.graphqlUrl, 'webhooks')
    const [admin, operator, service] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('svc', 'service')])
    const input = { url: 'http://127.0.0.1:9/hooks', eventTypes: ['message.created'] }
    ;(await run({ document: CreateWebhookEndpointDocument, token: operator.token, variables: { input } })).expectError('FORBIDDEN')
    ;(await run({ document: CreateWebhookEndpointDocument, token: service.token, variables: { input } })).expectError('FORBIDDEN')
    ;(
      await run({
        document: CreateWebhookEndpointDocument,
        token: admin.token,
        variables: { input: { ...input, eventTypes: ['message.exploded'] } },
      })
    ).expectError('BAD_USER_INPUT')
    const { createWebhookEndpoint } = (
      await run({ document: CreateWebhookEndpointDocument, token: admin.token, variables: { input } })
    ).expectData()
    ;(await run({ document: WebhookEndpointsDocument, token: operator.token })).expectError('FORBIDDEN')
    const other = await tenantWorld(t.graphqlUrl, 'webhooks').user('admin', 'admin')
    expect((await run({ document: WebhookEndpointsDocument, token: other.token })).expectData().webhookEndpoints).toEqual([])
    // node(id): the endpoint for its tenant's admins only; to another tenant it does not exist.
    const id = createWebhookEndpoint.endpoint.id
    expect((await run({ document: NodeDocument, token: admin.token, variables: { id } })).expectData().node).toEqual({
      __typename: 'WebhookEndpoint',
      id,
    })
    expect((await run({ document: NodeDocument, token: operator.token, variables: { id } })).expectData().node).toBeNull()
    expect((await run({ document: NodeDocument, token: other.token, variables: { id } })).expectData().node).toBeNull()
    ;(
      await run({ document: UpdateWebhookEndpointDocument, token: other.token, variables: { input: { endpointId: id, enabled: false } } })
    ).expectError('NOT_FOUND')
    expect((await run({ document: WebhookEndpointsDocument, token: admin.token })).expectData().webhookEndpoints).toHaveLength(1)
  })
})
