// Notifications through the public API: publishNotification reaches the recipient (query, graphql-ws,
// SSE) once and no one else; idempotency; paging and read state; the unread-message rule; preferences;
// notification.created webhooks.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { outboxNamespace, startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { outboxDrained, outboxJobs, sql } from './kit/outbox.js'
import { encodeGlobalId } from '../src/global-id.js'
import { notifyUnreadMessage, type UnreadMessageJob } from '../src/modules/notifications/rules.js'
import { waitUntil } from './kit/ready.js'
import { startReceiver } from './kit/receiver.js'
import { sseSubscribe } from './kit/sse.js'
import { subscribe } from './kit/subscribe.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  AssignConversationDocument,
  ClaimConversationDocument,
  CreateGroupDocument,
  CreateConversationDocument,
  CreateWebhookEndpointDocument,
  MarkNotificationsReadDocument,
  NotificationAddedDocument,
  NotificationsDocument,
  PublishNotificationDocument,
  SendMessageDocument,
  UpdateNotificationPreferencesDocument,
} from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
let namespace: string

beforeAll(async () => {
  namespace = outboxNamespace()
  t = await startTestApp({
    env: { NOTIFY_DELAY_MS: '20', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '20', OUTBOX_NAMESPACE: namespace },
  })
  run = client(t.graphqlUrl)
})
afterAll(async () => {
  await t?.stop()
})

const publish = (
  token: string,
  recipientExternalIds: string[],
  extra: Partial<{ type: string; title: string; body: string; data: unknown; idempotencyKey: string }> = {},
) =>
  run({
    document: PublishNotificationDocument,
    token,
    variables: { input: { recipientExternalIds, type: 'invoice.paid', title: 'Invoice paid', idempotencyKey: randomUUID(), ...extra } },
  })

const feed = async (user: TestUser, variables: { first?: number; after?: string; unreadOnly?: boolean } = {}) => {
  const data = (await run({ document: NotificationsDocument, token: user.token, variables })).expectData()
  return {
    nodes: data.notifications.edges.map((e) => e.node),
    edges: data.notifications.edges,
    pageInfo: data.notifications.pageInfo,
    unread: data.notificationUnreadCount,
  }
}

/** Resolves once `n` notificationAdded subscriptions are live on the server (a state, not a delay). */
const liveSubscriptions = (n: number) =>
  waitUntil(
    async () =>
      ((await t.app.services.metrics.activeSubscriptions.get()).values.find((v) => v.labels.field === 'notificationAdded')?.value ?? 0) >=
      n,
    `${n} notificationAdded subscriptions are live`,
  )

describe('publishNotification', () => {
  it("reaches the recipient's query and live subscriptions (graphql-ws and SSE) once, and no one else: not another user, not a same-named user of another tenant", async () => {
    const a = tenantWorld(t.graphqlUrl, 'notify')
    const b = tenantWorld(t.graphqlUrl, 'notify')
    const [svc, alice, bob, aliceB, svcB] = await Promise.all([
      a.user('svc', 'service'),
      a.user('alice'),
      a.user('bob'),
      b.user('alice'),
      b.user('svc', 'service'),
    ])
    const before =
      (await t.app.services.metrics.activeSubscriptions.get()).values.find((v) => v.labels.field === 'notificationAdded')?.value ?? 0
    const aliceWs = subscribe(t.wsUrl, { document: NotificationAddedDocument, token: alice.token })
    const bobWs = subscribe(t.wsUrl, { document: NotificationAddedDocument, token: bob.token })
    const aliceBWs = subscribe(t.wsUrl, { document: NotificationAddedDocument, token: aliceB.token })
    const aliceSse = await sseSubscribe(t.graphqlUrl, { document: NotificationAddedDocument, token: alice.token })
    try {
      await liveSubscriptions(before + 4)
      const { publishNotification } = (
        await publish(svc.token, ['alice'], { body: 'Invoice #42 was paid', data: { invoiceId: 'inv_42', amount: 4200 } })
      ).expectData()
      expect(publishNotification.createdCount).toBe(1)
      const [event] = await aliceWs.waitFor(1)
      expect(event!.notificationAdded).toMatchObject({
        id: publishNotification.notifications[0]!.id,
        type: 'invoice.paid',
        title: 'Invoice paid',
        body: 'Invoice #42 was paid',
        data: { invoiceId: 'inv_42', amount: 4200 },
        readAt: null,
      })
      const [sseEvent] = await aliceSse.waitFor(1)
      expect(sseEvent!.data!.notificationAdded.id).toBe(event!.notificationAdded.id)

      const aliceFeed = await feed(alice)
      expect(aliceFeed.nodes.map((n) => n.id)).toEqual([event!.notificationAdded.id])
      expect(aliceFeed.unread).toBe(1)
      expect((await feed(bob)).nodes).toEqual([])
      expect((await feed(aliceB)).nodes).toEqual([])

      // Sentinels: once each stream has its own next notification, nothing else came before it.
      ;(await publish(svc.token, ['alice', 'bob'], { type: 'sentinel' })).expectData()
      ;(await publish(svcB.token, ['alice'], { type: 'sentinel' })).expectData()
      expect((await aliceWs.waitFor(2)).map((e) => e.notificationAdded.type)).toEqual(['invoice.paid', 'sentinel'])
      expect((await aliceSse.waitFor(2)).map((e) => e.data!.notificationAdded.type)).toEqual(['invoice.paid', 'sentinel'])
      expect((await bobWs.waitFor(1)).map((e) => e.notificationAdded.type)).toEqual(['sentinel'])
      expect((await aliceBWs.waitFor(1)).map((e) => e.notificationAdded.type)).toEqual(['sentinel'])
      expect(aliceWs.errors).toEqual([])
    } finally {
      await Promise.all([aliceWs.close(), bobWs.close(), aliceBWs.close()])
      aliceSse.close()
    }
  })

  it('the same idempotencyKey creates nothing new, also when retried concurrently', async () => {
    const w = tenantWorld(t.graphqlUrl, 'notify')
    const [admin, alice, bob] = await Promise.all([w.user('admin', 'admin'), w.user('alice'), w.user('bob')])
    const idempotencyKey = `invoice-42-paid-${randomUUID()}`
    const first = (await publish(admin.token, ['alice', 'bob'], { idempotencyKey })).expectData().publishNotification
    expect(first.createdCount).toBe(2)
    const again = (await publish(admin.token, ['alice', 'bob'], { idempotencyKey, title: 'Invoice paid (retry)' })).expectData()
      .publishNotification
    expect(again.createdCount).toBe(0)
    expect(again.notifications.map((n) => n.id).sort()).toEqual(first.notifications.map((n) => n.id).sort())
    const concurrentKey = randomUUID()
    const results = await Promise.all(Array.from({ length: 5 }, () => publish(admin.token, ['alice'], { idempotencyKey: concurrentKey })))
    expect(results.map((r) => r.expectData().publishNotification.createdCount).reduce((a, b) => a + b, 0)).toBe(1)
    expect((await feed(alice)).nodes).toHaveLength(2)
    expect((await feed(bob)).nodes).toHaveLength(1)
  })

  it('an unknown recipient is BAD_USER_INPUT and nothing is written; members and operators may not publish', async () => {
    const w = tenantWorld(t.graphqlUrl, 'notify')
    const [svc, alice, op] = await Promise.all([w.user('svc', 'service'), w.user('alice'), w.user('op', 'operator')])
    const error = (await publish(svc.token, ['alice', 'ghost'])).expectError('BAD_USER_INPUT')
    expect(error.extensions?.['field']).toBe('recipientExternalIds')
    expect((await feed(alice)).nodes).toEqual([])
    ;(await publish(alice.token, ['alice'])).expectError('FORBIDDEN')
    ;(await publish(op.token, ['alice'])).expectError('FORBIDDEN')
    ;(await publish(svc.token, ['alice'], { type: 'has spaces' })).expectError('BAD_USER_INPUT')
    expect((await feed(alice)).nodes).toEqual([])
  })
})

describe('the feed', () => {
  it('pages newest first with cursors, filters unread, and marks read by ids or all; a cursor of someone else is BAD_USER_INPUT', async () => {
    const w = tenantWorld(t.graphqlUrl, 'notify')
    const [svc, alice, bob] = await Promise.all([w.user('svc', 'service'), w.user('alice'), w.user('bob')])
    for (let i = 1; i <= 5; i++) (await publish(svc.token, ['alice', 'bob'], { title: `n${i}` })).expectData()
    const page1 = await feed(alice, { first: 2 })
    expect(page1.nodes.map((n) => n.title)).toEqual(['n5', 'n4'])
    expect(page1.pageInfo.hasNextPage).toBe(true)
    const page2 = await feed(alice, { first: 2, after: page1.pageInfo.endCursor! })
    expect(page2.nodes.map((n) => n.title)).toEqual(['n3', 'n2'])
    const page3 = await feed(alice, { first: 2, after: page2.pageInfo.endCursor! })
    expect(page3.nodes.map((n) => n.title)).toEqual(['n1'])
    expect(page3.pageInfo.hasNextPage).toBe(false)

    const bobCursor = (await feed(bob, { first: 1 })).pageInfo.endCursor!
    ;(await run({ document: NotificationsDocument, token: alice.token, variables: { after: bobCursor } })).expectError('BAD_USER_INPUT')
    ;(await run({ document: NotificationsDocument, token: alice.token, variables: { after: 'not-a-cursor' } })).expectError(
      'BAD_USER_INPUT',
    )

    const marked = (
      await run({
        document: MarkNotificationsReadDocument,
        token: alice.token,
        variables: { input: { ids: [page1.nodes[0]!.id, page1.nodes[1]!.id] } },
      })
    ).expectData()
    expect(marked.markNotificationsRead).toEqual({ markedCount: 2, unreadCount: 3 })
    expect((await feed(alice, { unreadOnly: true })).nodes.map((n) => n.title)).toEqual(['n3', 'n2', 'n1'])
    // Another user's ids change nothing of theirs.
    const bobIds = (await feed(bob)).nodes.map((n) => n.id)
    expect(
      (await run({ document: MarkNotificationsReadDocument, token: alice.token, variables: { input: { ids: bobIds } } })).expectData()
        .markNotificationsRead.markedCount,
    ).toBe(0)
    expect((await feed(bob)).unread).toBe(5)
    expect(
      (await run({ document: MarkNotificationsReadDocument, token: alice.token, variables: { input: { all: true } } })).expectData()
        .markNotificationsRead,
    ).toEqual({ markedCount: 3, unreadCount: 0 })
    expect((await feed(alice)).nodes.every((n) => n.readAt !== null)).toBe(true)
    ;(await run({ document: MarkNotificationsReadDocument, token: alice.token, variables: { input: {} } })).expectError('BAD_USER_INPUT')
  })
})

describe('rules and preferences', () => {
  it('a message you have not received becomes one unread notification per conversation until you read it, never for the sender, and none in a muted conversation', async () => {
    const w = tenantWorld(t.graphqlUrl, 'notify')
    const [m1, m2, m3] = await Promise.all([w.user('m1'), w.user('m2'), w.user('m3')])
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: m1.token,
        variables: { input: { kind: 'GROUP', subject: 'Trip', participantExternalIds: ['m2', 'm3'] } },
      })
    ).expectData()
    const conversationId = createConversation.conversation.id
    ;(
      await run({
        document: UpdateNotificationPreferencesDocument,
        token: m3.token,
        variables: { input: { mutedConversationIds: [conversationId] } },
      })
    ).expectData()
    const send = async (body: string) => {
      ;(
        await run({
          document: SendMessageDocument,
          token: m1.token,
          variables: { input: { conversationId, body, clientMessageId: randomUUID() } },
        })
      ).expectData()
      await outboxDrained(namespace)
    }

    await send('Tickets are booked')
    const first = await feed(m2)
    expect(first.nodes).toHaveLength(1)
    expect(first.nodes[0]).toMatchObject({
      type: 'message.unread',
      title: 'New message in Trip',
      body: 'Tickets are booked',
      entityId: conversationId,
      readAt: null,
    })
    expect((first.nodes[0]!.data as { conversationId: string }).conversationId).toBe(conversationId)
    expect((await feed(m1)).nodes).toEqual([])
    expect((await feed(m3)).nodes).toEqual([])

    await send('Leaving at 9')
    expect((await feed(m2)).nodes).toHaveLength(1)

    ;(await run({ document: MarkNotificationsReadDocument, token: m2.token, variables: { input: { all: true } } })).expectData()
    await send('See you there')
    const after = await feed(m2)
    expect(after.nodes.map((n) => n.body)).toEqual(['See you there', 'Tickets are booked'])
    expect(after.unread).toBe(1)
  })

  it('a burst of messages waits in one unread-message job, which notifies of the latest message when it runs', async () => {
    // A delay no test outlives: the job stays waiting, and the test runs it itself.
    const waiting = outboxNamespace()
    const slow = await startTestApp({ env: { NOTIFY_DELAY_MS: '3600000', OUTBOX_NAMESPACE: waiting } })
    try {
      const w = tenantWorld(slow.graphqlUrl, 'notify')
      const [m1, m2] = await Promise.all([w.user('m1'), w.user('m2')])
      const onSlow = client(slow.graphqlUrl)
      const { createConversation } = (
        await onSlow({
          document: CreateConversationDocument,
          token: m1.token,
          variables: { input: { kind: 'GROUP', participantExternalIds: ['m2'] } },
        })
      ).expectData()
      const send = async (user: TestUser, body: string) =>
        (
          await onSlow({
            document: SendMessageDocument,
            token: user.token,
            variables: { input: { conversationId: createConversation.conversation.id, body, clientMessageId: randomUUID() } },
          })
        ).expectData().sendMessage.message
      const first = await send(m1, 'one')
      await send(m2, 'two')
      await send(m1, 'three')
      const jobs = (await outboxJobs(waiting)).filter((j) => j.task_identifier === `${waiting}:notify_unread_message`)
      expect(jobs).toHaveLength(1)
      const job = jobs[0]!.payload as UnreadMessageJob
      expect(encodeGlobalId('Message', job.messageId)).toBe(first.id)

      await notifyUnreadMessage(slow.app.services, job)
      const m2Feed = (await onSlow({ document: NotificationsDocument, token: m2.token, variables: {} }))
        .expectData()
        .notifications.edges.map((e) => e.node.body)
      const m1Feed = (await onSlow({ document: NotificationsDocument, token: m1.token, variables: {} }))
        .expectData()
        .notifications.edges.map((e) => e.node.body)
      expect(m2Feed).toEqual(['three'])
      expect(m1Feed).toEqual([])
      await sql('select graphile_worker.remove_job($1)', [`notify:${job.conversationId}`])
    } finally {
      await slow.stop()
    }
  })

  it('a SUPPORT conversation assigned to an operator by someone else notifies them; claiming it yourself does not', async () => {
    const w = tenantWorld(t.graphqlUrl, 'notify')
    const [admin, op, user] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('user')])
    const { createGroup } = (
      await run({ document: CreateGroupDocument, token: admin.token, variables: { input: { name: 'support', memberExternalIds: ['op'] } } })
    ).expectData()
    const open = async () =>
      (
        await run({
          document: CreateConversationDocument,
          token: user.token,
          variables: { input: { kind: 'SUPPORT', subject: 'Refund', groupIds: [createGroup.group.id] } },
        })
      ).expectData().createConversation.conversation.id
    const claimed = await open()
    ;(await run({ document: ClaimConversationDocument, token: op.token, variables: { input: { conversationId: claimed } } })).expectData()
    const assigned = await open()
    ;(
      await run({
        document: AssignConversationDocument,
        token: admin.token,
        variables: { input: { conversationId: assigned, assigneeExternalId: 'op', expectedVersion: 1 } },
      })
    ).expectData()
    await outboxDrained(namespace)
    const { nodes } = await feed(op)
    expect(nodes.map((n) => [n.type, n.title, n.entityId])).toEqual([['conversation.assigned', 'Assigned to you: Refund', assigned]])
    expect((await feed(user)).nodes).toEqual([])
  })

  it('an internal note never notifies the end user; a visible reply does', async () => {
    const w = tenantWorld(t.graphqlUrl, 'notify')
    const [admin, op, user] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('user')])
    const { createGroup } = (
      await run({ document: CreateGroupDocument, token: admin.token, variables: { input: { name: 'support', memberExternalIds: ['op'] } } })
    ).expectData()
    const conversationId = (
      await run({
        document: CreateConversationDocument,
        token: user.token,
        variables: { input: { kind: 'SUPPORT', groupIds: [createGroup.group.id] } },
      })
    ).expectData().createConversation.conversation.id
    const write = async (body: string, internal: boolean) => {
      ;(
        await run({
          document: SendMessageDocument,
          token: op.token,
          variables: { input: { conversationId, body, clientMessageId: randomUUID(), internal } },
        })
      ).expectData()
      await outboxDrained(namespace)
    }
    await write('SECRET note', true)
    expect((await feed(user)).nodes).toEqual([])
    await write('Hello, how can I help?', false)
    expect((await feed(user)).nodes.map((n) => n.body)).toEqual(['Hello, how can I help?'])
  })

  it('a reply followed by an internal note before the job runs still notifies the end user of the reply', async () => {
    // A delay no test outlives: the job waits while both are sent, and the test runs it itself.
    const waiting = outboxNamespace()
    const slow = await startTestApp({ env: { NOTIFY_DELAY_MS: '3600000', OUTBOX_NAMESPACE: waiting } })
    try {
      const onSlow = client(slow.graphqlUrl)
      const w = tenantWorld(slow.graphqlUrl, 'notify')
      const [admin, op, user] = await Promise.all([w.user('admin', 'admin'), w.user('op', 'operator'), w.user('user')])
      const { createGroup } = (
        await onSlow({
          document: CreateGroupDocument,
          token: admin.token,
          variables: { input: { name: 'support', memberExternalIds: ['op'] } },
        })
      ).expectData()
      const conversationId = (
        await onSlow({
          document: CreateConversationDocument,
          token: user.token,
          variables: { input: { kind: 'SUPPORT', groupIds: [createGroup.group.id] } },
        })
      ).expectData().createConversation.conversation.id
      const send = (body: string, internal: boolean) =>
        onSlow({
          document: SendMessageDocument,
          token: op.token,
          variables: { input: { conversationId, body, clientMessageId: randomUUID(), internal } },
        })
      ;(await send('Your refund is on its way', false)).expectData()
      ;(await send('SECRET: refund approved by finance', true)).expectData()
      const jobs = (await outboxJobs(waiting)).filter((j) => j.task_identifier === `${waiting}:notify_unread_message`)
      expect(jobs).toHaveLength(1)
      const job = jobs[0]!.payload as UnreadMessageJob
      await notifyUnreadMessage(slow.app.services, job)
      const seen = (await onSlow({ document: NotificationsDocument, token: user.token, variables: {} }))
        .expectData()
        .notifications.edges.map((e) => e.node.body)
      expect(seen).toEqual(['Your refund is on its way'])
      await sql('select graphile_worker.remove_job($1)', [`notify:${job.conversationId}`])
    } finally {
      await slow.stop()
    }
  })

  it('a muted type is not delivered to the user who muted it', async () => {
    const w = tenantWorld(t.graphqlUrl, 'notify')
    const [svc, alice, bob] = await Promise.all([w.user('svc', 'service'), w.user('alice'), w.user('bob')])
    const prefs = (
      await run({
        document: UpdateNotificationPreferencesDocument,
        token: alice.token,
        variables: { input: { mutedTypes: ['marketing.promo'] } },
      })
    ).expectData()
    expect(prefs.updateNotificationPreferences.preferences.mutedTypes).toEqual(['marketing.promo'])
    expect((await publish(svc.token, ['alice', 'bob'], { type: 'marketing.promo' })).expectData().publishNotification.createdCount).toBe(1)
    expect((await feed(alice)).nodes).toEqual([])
    expect((await feed(bob)).nodes.map((n) => n.type)).toEqual(['marketing.promo'])
  })

  it('a notification is also a notification.created webhook naming the recipient', async () => {
    const receiver = await startReceiver()
    try {
      const w = tenantWorld(t.graphqlUrl, 'notify')
      const [admin, alice] = await Promise.all([w.user('admin', 'admin'), w.user('alice')])
      ;(
        await run({
          document: CreateWebhookEndpointDocument,
          token: admin.token,
          variables: { input: { url: receiver.url, eventTypes: ['notification.created'] } },
        })
      ).expectData()
      const { publishNotification } = (await publish(admin.token, ['alice'], { data: { invoiceId: 'inv_7' } })).expectData()
      const [request] = await receiver.waitFor(1)
      const body = JSON.parse(request!.body) as {
        type: string
        data: { notification: { id: string; data: unknown }; recipient: { id: string; externalId: string } }
      }
      expect(body.type).toBe('notification.created')
      expect(body.data.notification).toMatchObject({ id: publishNotification.notifications[0]!.id, data: { invoiceId: 'inv_7' } })
      expect(body.data.recipient).toEqual({ id: alice.id, externalId: 'alice' })
    } finally {
      await receiver.close()
    }
  })
})
