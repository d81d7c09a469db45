// Rate limits: a person's pace never meets them, a flood always does (RATE_LIMITED with retryAfter, HTTP
// 429 + Retry-After), nothing is written for a refused send, and with Redis the limits hold across nodes.
import { print } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisUrl, startTestApp, type TestApp } from './kit/app.js'
import { client, type ExecuteResult } from './kit/execute.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import { seedTenant } from './kit/tokens.js'
import { ConversationDocument, CreateConversationDocument, SendMessageDocument, ViewerDocument } from '../client/generated/graphql.js'

async function conversationOf(graphqlUrl: string, prefix = 'rl') {
  const w = tenantWorld(graphqlUrl, prefix)
  const [owner, peer] = await Promise.all([w.user('owner'), w.user('peer')])
  const { createConversation } = (
    await client(graphqlUrl)({
      document: CreateConversationDocument,
      token: owner.token,
      variables: { input: { kind: 'GROUP', participantExternalIds: ['peer'] } },
    })
  ).expectData()
  return { w, owner, peer, conversationId: createConversation.conversation.id }
}

let counter = 0
const send = (graphqlUrl: string, user: TestUser, conversationId: string) =>
  client(graphqlUrl)({
    document: SendMessageDocument,
    token: user.token,
    variables: { input: { conversationId, body: 'hi', clientMessageId: `c-${++counter}` } },
  })

/** Sends `count` messages, `concurrency` at a time, and returns every result. */
async function sendMany(count: number, concurrency: number, next: () => Promise<ExecuteResult<unknown>>) {
  const results: ExecuteResult<unknown>[] = []
  for (let i = 0; i < count; i += concurrency)
    results.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - i) }, next))))
  return results
}

const codes = (results: ExecuteResult<unknown>[]) => results.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK')

describe('with the default limits', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ defaultLimits: true })
  })
  afterAll(() => t?.stop())

  it('a person sending and reading at a brisk pace never meets a limit', async () => {
    const { owner, peer, conversationId } = await conversationOf(t.graphqlUrl)
    const run = client(t.graphqlUrl)
    for (let i = 0; i < 40; i++) {
      ;(await send(t.graphqlUrl, i % 2 ? owner : peer, conversationId)).expectData()
      ;(await run({ document: ConversationDocument, token: owner.token, variables: { id: conversationId } })).expectData()
    }
  })

  it('a flood of sends gets RATE_LIMITED with retryAfter (HTTP 429, Retry-After) and writes nothing more', async () => {
    const { owner, conversationId } = await conversationOf(t.graphqlUrl)
    const results = await sendMany(200, 20, () => send(t.graphqlUrl, owner, conversationId))
    const accepted = codes(results).filter((c) => c === 'OK').length
    expect(accepted).toBe(120) // RATE_LIMIT_SENDS_PER_USER's default, per 60 s window
    expect(
      codes(results)
        .filter((c) => c !== 'OK')
        .every((c) => c === 'RATE_LIMITED'),
    ).toBe(true)
    const refused = results.find((r) => r.errors)!
    expect(refused.status).toBe(429)
    const retryAfter = refused.errors![0]!.extensions!['retryAfter'] as number
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    // Nothing half-written: the timeline holds exactly the accepted sends.
    const { conversation } = (
      await client(t.graphqlUrl)({ document: ConversationDocument, token: owner.token, variables: { id: conversationId } })
    ).expectData()
    expect(conversation?.lastSeq).toBe(120)
    // Over plain HTTP the refusal carries Retry-After.
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
      body: JSON.stringify({
        query: print(SendMessageDocument),
        variables: { input: { conversationId, body: 'x', clientMessageId: 'late' } },
      }),
    })
    expect(response.status).toBe(429)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    // Another user of the same tenant is not affected by this user's limit.
    const other = await conversationOf(t.graphqlUrl)
    ;(await send(t.graphqlUrl, other.owner, other.conversationId)).expectData()
  })
})

describe('configured limits', () => {
  it('sends per tenant: users together cannot send more than RATE_LIMIT_SENDS_PER_TENANT', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_SENDS_PER_TENANT: '10' } })
    try {
      const { owner, peer, conversationId } = await conversationOf(t.graphqlUrl)
      const results = await sendMany(16, 4, () => send(t.graphqlUrl, counter % 2 ? owner : peer, conversationId))
      expect(codes(results).filter((c) => c === 'OK').length).toBe(10)
      expect(codes(results).filter((c) => c === 'RATE_LIMITED').length).toBe(6)
      // Another tenant still sends.
      const other = await conversationOf(t.graphqlUrl, 'rl-other')
      ;(await send(t.graphqlUrl, other.owner, other.conversationId)).expectData()
    } finally {
      await t.stop()
    }
  })

  it('operations per user: RATE_LIMIT_OPERATIONS_PER_USER operations, then RATE_LIMITED (429); other users unaffected', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_OPERATIONS_PER_USER: '20' } })
    try {
      const tenant = seedTenant()
      const [alice, bob] = await Promise.all([tenant.token('alice', 'member'), tenant.token('bob', 'member')])
      const run = client(t.graphqlUrl)
      const results = await sendMany(25, 5, () => run({ document: ViewerDocument, token: alice }))
      expect(codes(results).filter((c) => c === 'OK').length).toBe(20)
      const refused = results.find((r) => r.errors)!
      expect(refused.status).toBe(429)
      expect(refused.errors![0]!.extensions!['retryAfter']).toBeGreaterThanOrEqual(1)
      ;(await run({ document: ViewerDocument, token: bob })).expectData()
    } finally {
      await t.stop()
    }
  })

  it('failed authentications per IP: after RATE_LIMIT_AUTH_FAILURES_PER_IP failures the IP gets RATE_LIMITED, even with a valid token', async () => {
    const t = await startTestApp({ env: { RATE_LIMIT_AUTH_FAILURES_PER_IP: '5' } })
    try {
      const run = client(t.graphqlUrl)
      const valid = await seedTenant().token('u', 'member')
      ;(await run({ document: ViewerDocument, token: valid })).expectData()
      for (let i = 0; i < 5; i++) (await run({ document: ViewerDocument, token: `${valid}x` })).expectError('UNAUTHENTICATED')
      const blocked = await run({ document: ViewerDocument, token: `${valid}x` })
      expect(blocked.status).toBe(429)
      blocked.expectError('RATE_LIMITED')
      ;(await run({ document: ViewerDocument, token: valid })).expectError('RATE_LIMITED')
      // Requests without a token are not authentication attempts.
      expect((await run({ document: ViewerDocument })).status).toBe(401)
    } finally {
      await t.stop()
    }
  })

  it('RATE_LIMITS=off turns every rate limit off', async () => {
    const t = await startTestApp({ env: { RATE_LIMITS: 'off', RATE_LIMIT_SENDS_PER_USER: '3', RATE_LIMIT_OPERATIONS_PER_USER: '3' } })
    try {
      const { owner, conversationId } = await conversationOf(t.graphqlUrl)
      const results = await sendMany(20, 5, () => send(t.graphqlUrl, owner, conversationId))
      expect(codes(results).every((c) => c === 'OK')).toBe(true)
    } finally {
      await t.stop()
    }
  })
})

describe.runIf(redisUrl())('across two nodes sharing Redis', () => {
  it('a user sending through both nodes gets RATE_LIMIT_SENDS_PER_USER in total, not per node', async () => {
    const env = { RATE_LIMIT_SENDS_PER_USER: '10' }
    const [a, b] = await Promise.all([startTestApp({ redis: true, env }), startTestApp({ redis: true, env })])
    try {
      const { owner, conversationId } = await conversationOf(a.graphqlUrl)
      let i = 0
      const results = await sendMany(30, 6, () => send(i++ % 2 ? a.graphqlUrl : b.graphqlUrl, owner, conversationId))
      expect(codes(results).filter((c) => c === 'OK').length).toBe(10)
      expect(codes(results).filter((c) => c === 'RATE_LIMITED').length).toBe(20)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })
})
