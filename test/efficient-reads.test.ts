// Guarantee: listing 50 conversations with last message, participants and unread count, or a page of
// 100 messages with senders, takes a small constant number of SQL queries (counted by Prisma's query
// events, as Pothos's own plugin tests do), whatever the page size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'
import { ConversationsDocument, CreateConversationDocument, MessagesDocument, SendMessageDocument } from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

async function queriesDuring(work: () => Promise<unknown>) {
  const before = (await t.app.services.metrics.dbQueries.get()).values[0]?.value ?? 0
  await work()
  return ((await t.app.services.metrics.dbQueries.get()).values[0]?.value ?? 0) - before
}

describe('efficient reads', () => {
  it('a page of 5 or of 50 conversations with last message, participants and unread count costs the same few queries', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [op, m1, m2] = await Promise.all([w.user('op', 'operator'), w.user('m1'), w.user('m2')])
    for (let i = 0; i < 50; i++) {
      const { createConversation } = (
        await run({
          document: CreateConversationDocument,
          token: op.token,
          variables: { input: { kind: 'GROUP', subject: `c${i}`, participantExternalIds: ['m1', 'm2'] } },
        })
      ).expectData()
      ;(
        await run({
          document: SendMessageDocument,
          token: m2.token,
          variables: { input: { conversationId: createConversation.conversation.id, body: `hi ${i}`, clientMessageId: `c${i}` } },
        })
      ).expectData()
    }
    // Warm up (provisioning, caches), then count.
    ;(await run({ document: ConversationsDocument, token: m1.token, variables: { first: 1 } })).expectData()
    let small = 0
    const smallQueries = await queriesDuring(async () => {
      small = (await run({ document: ConversationsDocument, token: m1.token, variables: { first: 5 } })).expectData().conversations.edges
        .length
    })
    let large = 0
    const largeQueries = await queriesDuring(async () => {
      const { conversations } = (await run({ document: ConversationsDocument, token: m1.token, variables: { first: 50 } })).expectData()
      large = conversations.edges.length
      expect(
        conversations.edges.every(
          (e) => e.node.unreadCount === 1 && e.node.lastMessage?.sender.externalId === 'm2' && e.node.participants.length === 3,
        ),
      ).toBe(true)
    })
    expect([small, large]).toEqual([5, 50])
    expect(largeQueries).toBe(smallQueries)
    expect(largeQueries).toBeLessThanOrEqual(8)
  })

  it('a page of 100 messages with senders costs the same few queries as a page of 10', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: op.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['m1'] } },
      })
    ).expectData()
    const conversationId = createConversation.conversation.id
    for (let i = 0; i < 100; i += 20)
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          run({
            document: SendMessageDocument,
            token: (i + j) % 2 ? op.token : m1.token,
            variables: { input: { conversationId, body: `b${i + j}`, clientMessageId: `b${i + j}` } },
          }),
        ),
      )
    const page = (first: number) => async () => {
      const { conversation } = (
        await run({ document: MessagesDocument, token: m1.token, variables: { conversationId, first } })
      ).expectData()
      expect(conversation!.messages.edges).toHaveLength(first)
      if (first > 1) expect(new Set(conversation!.messages.edges.map((e) => e.node.sender.externalId))).toEqual(new Set(['op', 'm1']))
    }
    await page(1)()
    const tenQueries = await queriesDuring(page(10))
    const hundredQueries = await queriesDuring(page(100))
    expect(hundredQueries).toBe(tenQueries)
    expect(hundredQueries).toBeLessThanOrEqual(5)
  })
})
