// REST fallbacks (SOFA) for clients that cannot speak GraphQL: list conversations, read messages after
// a seq, send a message (idempotently) — the same rules and errors as /graphql, with HTTP statuses.
import { parse } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'
import { CreateConversationDocument } from '../client/generated/graphql.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

const rest = (path: string, token: string | undefined, body?: unknown) =>
  fetch(`${t.url}/rest${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })

describe('REST fallback', () => {
  it('lists conversations, sends a message idempotently and reads messages after a seq', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const { createConversation } = (
      await client(t.graphqlUrl)({
        document: CreateConversationDocument,
        token: op.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['m1'] } },
      })
    ).expectData()
    const conversationId = createConversation.conversation.id

    const list = await rest('/conversations?first=10', m1.token)
    expect(list.status).toBe(200)
    expect(((await list.json()) as { edges: Array<{ node: { id: string } }> }).edges.map((e) => e.node.id)).toEqual([conversationId])

    const sends = []
    for (const [body, clientMessageId] of [
      ['one', 'r1'],
      ['two', 'r2'],
      ['two', 'r2'],
    ]) {
      const response = await rest('/send-message', m1.token, { input: { conversationId, body, clientMessageId } })
      expect(response.status).toBe(200)
      sends.push(((await response.json()) as { message: { id: string; seq: number } }).message)
    }
    expect(sends.map((m) => m.seq)).toEqual([1, 2, 2])
    expect(sends[2]!.id).toBe(sends[1]!.id)

    const after = await rest(`/messages?conversationId=${encodeURIComponent(conversationId)}&afterSeq=1`, op.token)
    expect(after.status).toBe(200)
    const page = (await after.json()) as { edges: Array<{ node: { seq: number; body: string } }> }
    expect(page.edges.map((e) => [e.node.seq, e.node.body])).toEqual([[2, 'two']])
  })

  it('answers errors with their code and the matching HTTP status', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const m1 = await w.user('m1')
    const stranger = await tenantWorld(t.graphqlUrl).user('s')
    const missing = Buffer.from(`Conversation:${crypto.randomUUID()}`).toString('base64')
    const cases: Array<[Response, number, string]> = [
      [await rest('/conversations', undefined), 401, 'UNAUTHENTICATED'],
      [await rest('/messages?conversationId=nope', m1.token), 400, 'BAD_USER_INPUT'],
      [
        await rest('/send-message', stranger.token, { input: { conversationId: missing, body: 'x', clientMessageId: 'x' } }),
        404,
        'NOT_FOUND',
      ],
      [await rest('/upsert-user', m1.token, { input: { externalId: 'x', displayName: 'x', role: 'ADMIN' } }), 403, 'FORBIDDEN'],
    ]
    for (const [response, status, code] of cases) {
      expect(response.status).toBe(status)
      expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe(code)
    }
  })

  it('serves its OpenAPI description, and no webhook routes', async () => {
    const openapi = await fetch(`${t.url}/rest/openapi.json`)
    expect(openapi.status).toBe(200)
    expect(Object.keys(((await openapi.json()) as { paths: object }).paths)).toEqual(
      expect.arrayContaining(['/send-message', '/conversations', '/messages']),
    )
    expect((await fetch(`${t.url}/rest/webhook`, { method: 'POST', body: '{}' })).status).toBe(404)
  })

  it('a REST request over the list-size limit is refused (400), as the same query is on /graphql', async () => {
    const token = (await tenantWorld(t.graphqlUrl).user('big')).token
    const refused = await rest('/conversations?first=20000', token)
    expect(refused.status).toBe(400)
    const body = (await refused.json()) as { errors: Array<{ message: string; extensions: { code: string } }> }
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT')
    expect(body.errors[0]!.message).toMatch(/20000 list items; at most 10000/)
    // The same over /graphql gets the same answer.
    const graphql = await client(t.graphqlUrl)({
      document: parse('query { conversations(first: 20000) { edges { node { id } } } }') as never,
      token,
    })
    graphql.expectError('BAD_USER_INPUT')
    // Reasonable sizes are served.
    expect((await rest('/conversations?first=100', token)).status).toBe(200)
  })
})

// The lean shapes REST answers with (src/server/rest-selection.ts), as the README documents them.
const MESSAGE_FIELDS = ['id', 'seq', 'body', 'clientMessageId', 'internal', 'sender', 'createdAt', 'editedAt', 'deletedAt']
const USER_FIELDS = ['id', 'externalId', 'displayName', 'role']

describe('REST answers with lean shapes', () => {
  it('50 messages over REST are within 2x the same selection over GraphQL, with the documented fields and no nested conversation', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [op, m1] = await Promise.all([w.user('op', 'operator'), w.user('m1')])
    const { createConversation } = (
      await client(t.graphqlUrl)({
        document: CreateConversationDocument,
        token: op.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['m1'] } },
      })
    ).expectData()
    const conversationId = createConversation.conversation.id
    for (let i = 0; i < 50; i++) {
      const sent = await rest('/send-message', i % 2 ? op.token : m1.token, {
        input: { conversationId, body: `message number ${i} of the lean-shape test`, clientMessageId: `lean-${i}` },
      })
      expect(sent.status).toBe(200)
    }

    const response = await rest(`/messages?conversationId=${encodeURIComponent(conversationId)}&first=50`, op.token)
    expect(response.status).toBe(200)
    const restText = await response.text()
    const page = JSON.parse(restText) as {
      edges: Array<{ cursor: string; node: Record<string, unknown> & { sender: Record<string, unknown> } }>
      pageInfo: object
    }
    expect(page.edges).toHaveLength(50)
    for (const { node } of page.edges) {
      expect(Object.keys(node).sort()).toEqual([...MESSAGE_FIELDS].sort())
      expect(Object.keys(node.sender).sort()).toEqual([...USER_FIELDS].sort())
    }
    expect(page.edges[0]!.node).toMatchObject({
      seq: expect.any(Number),
      body: 'message number 0 of the lean-shape test',
      sender: { externalId: 'm1' },
      editedAt: null,
      deletedAt: null,
    })

    // The same selection over GraphQL.
    const graphqlResponse = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${op.token}` },
      body: JSON.stringify({
        query: `query ($id: ID!) { messages(conversationId: $id, first: 50) { edges { cursor node { ${MESSAGE_FIELDS.map((f) => (f === 'sender' ? `sender { ${USER_FIELDS.join(' ')} }` : f)).join(' ')} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        variables: { id: conversationId },
      }),
    })
    const graphqlText = await graphqlResponse.text()
    expect((JSON.parse(graphqlText) as { data: { messages: { edges: unknown[] } } }).data.messages.edges).toHaveLength(50)
    const restBytes = Buffer.byteLength(restText)
    const graphqlBytes = Buffer.byteLength(graphqlText)
    expect(restBytes).toBeLessThanOrEqual(2 * graphqlBytes)
    expect(restBytes).toBeLessThan(30_000) // SOFA's deep default was 329 KB for 50 messages

    // A conversation over REST: its own fields, related objects lean, no nested participants or messages.
    const one = (await (await rest(`/conversation/${encodeURIComponent(conversationId)}`, op.token)).json()) as Record<string, unknown> & {
      lastMessage: Record<string, unknown>
    }
    expect(one).toMatchObject({ id: conversationId, kind: 'GROUP', lastSeq: expect.any(Number) })
    expect(one).not.toHaveProperty('participants')
    expect(one).not.toHaveProperty('messages')
    expect(Object.keys(one.lastMessage).sort()).toEqual([...MESSAGE_FIELDS].sort())
  })

  it('the OpenAPI document describes the lean shapes', async () => {
    const openapi = (await (await fetch(`${t.url}/rest/openapi.json`)).json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> }
    }
    const { Message, User, Conversation } = openapi.components.schemas
    expect(Object.keys(Message!.properties).sort()).toEqual([...MESSAGE_FIELDS].sort())
    expect(Object.keys(User!.properties).sort()).toEqual([...USER_FIELDS].sort())
    expect(Object.keys(Conversation!.properties)).not.toContain('participants')
    expect(Object.keys(Conversation!.properties)).not.toContain('messages')
    expect(Conversation!.properties).toHaveProperty('lastMessage')
  })
})
