import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { seedTenant } from './kit/tokens.js'
import { NodeDocument, ViewerDocument } from '../client/generated/graphql.js'
import { decodeGlobalId } from '../src/global-id.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

async function signIn(tenant: ReturnType<typeof seedTenant>, sub: string) {
  const token = await tenant.token(sub, 'admin')
  const { viewer } = (await run({ document: ViewerDocument, token })).expectData()
  return { token, userId: viewer.user.id, tenantId: decodeGlobalId(viewer.tenant.id).id }
}

describe('tenant scoping', () => {
  it("the tenant-bound data layer returns nothing for another tenant's row, even asked for it by id", async () => {
    const a = await signIn(seedTenant('a'), 'admin-a')
    const b = await signIn(seedTenant('b'), 'admin-b')
    const dbA = t.app.services.tenantDbs.for(a.tenantId)
    const userOfB = decodeGlobalId(b.userId).id
    expect(await dbA.user.findUnique({ where: { id: userOfB } })).toBeNull()
    expect(await dbA.user.findFirst({ where: { id: userOfB } })).toBeNull()
    expect(await dbA.user.count({ where: { id: userOfB } })).toBe(0)
    // Writes are scoped too: an update aimed at B's row matches nothing.
    expect((await dbA.user.updateMany({ where: { id: userOfB }, data: { displayName: 'hijacked' } })).count).toBe(0)
    await expect(dbA.user.update({ where: { id: userOfB }, data: { displayName: 'hijacked' } })).rejects.toThrow()
    // A row created through A's layer belongs to A whatever tenantId the caller passes.
    const created = await dbA.group.create({ data: { name: 'ops', tenantId: b.tenantId } })
    expect(created.tenantId).toBe(a.tenantId)
    // The same row is visible through its own tenant's layer.
    expect(await t.app.services.tenantDbs.for(b.tenantId).user.findUnique({ where: { id: userOfB } })).not.toBeNull()
  })

  it("node(id) with another tenant's user id is null, like an id that does not exist", async () => {
    const a = await signIn(seedTenant('a'), 'admin-a')
    const b = await signIn(seedTenant('b'), 'admin-b')
    expect((await run({ document: NodeDocument, token: a.token, variables: { id: b.userId } })).expectData().node).toBeNull()
    expect((await run({ document: NodeDocument, token: a.token, variables: { id: a.userId } })).expectData().node).toMatchObject({
      __typename: 'User',
      id: a.userId,
    })
  })
})

describe('raw statements (src/db/statements.ts) name the tenant', () => {
  it("asked with another tenant's id, every raw statement finds nothing and writes nothing", async () => {
    const { CreateConversationDocument, SendMessageDocument } = await import('../client/generated/graphql.js')
    const statements = await import('../src/db/statements.js')
    const tenantB = seedTenant('b')
    const a = await signIn(seedTenant('a'), 'admin-a')
    const b = await signIn(tenantB, 'admin-b')
    await signIn(tenantB, 'b2')
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: b.token,
        variables: { input: { kind: 'GROUP', subject: 'b only', participantExternalIds: ['b2'] } },
      })
    ).expectData()
    const conversationOfB = decodeGlobalId(createConversation.conversation.id).id
    ;(
      await run({
        document: SendMessageDocument,
        token: b.token,
        variables: { input: { conversationId: createConversation.conversation.id, body: 'secret', clientMessageId: 'm1' } },
      })
    ).expectData()
    const prisma = t.app.services.prisma
    const userOfA = decodeGlobalId(a.userId).id
    // Tenant A's id with tenant B's conversation, even for a viewer who would see everything.
    expect(await statements.loadMembership(prisma, a.tenantId, conversationOfB)).toBeNull()
    expect([
      ...(
        await statements.unreadCounts(prisma, a.tenantId, [{ userId: userOfA, conversationId: conversationOfB, seesInternal: true }])
      ).values(),
    ]).toEqual([])
    expect(await statements.conversationsWithUnread(prisma, a.tenantId, { userId: userOfA, role: 'ADMIN' })).not.toContain(conversationOfB)
    const sent = await statements.sendAsParticipant(prisma, {
      tenantId: a.tenantId,
      conversationId: conversationOfB,
      senderId: decodeGlobalId(b.userId).id,
      messageId: crypto.randomUUID(),
      clientMessageId: 'x',
      body: 'intrusion',
    })
    expect(sent).toBeUndefined()
    expect(
      await t.app.services.tenantDbs
        .for(b.tenantId)
        .conversation.findUniqueOrThrow({ where: { id: conversationOfB }, select: { lastSeq: true } }),
    ).toEqual({ lastSeq: 1 })
  })
})
