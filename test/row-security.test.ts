// Row-level security, the second wall (ROW_LEVEL_SECURITY=on): even a query that forgets its tenant
// filter — run through the app's own unscoped client, as a bug would — sees and writes nothing of another
// tenant, and nothing at all when it runs for no tenant. The product works the same with it on.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { subscribe } from './kit/subscribe.js'
import { tenantWorld } from './kit/world.js'
import { sql } from './kit/outbox.js'
import { asTenant } from '../src/db/row-security.js'
import { prepareAppRole } from '../src/db/row-security-grants.js'
import { TENANT_MODELS } from '../src/db/tenant-scope.js'
import { decodeGlobalId } from '../src/global-id.js'
import { ConversationEventsDocument, CreateConversationDocument, SendMessageDocument, ViewerDocument } from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp({ env: { ROW_LEVEL_SECURITY: 'true' } })
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

async function tenantWithConversation(prefix: string) {
  const w = tenantWorld(t.graphqlUrl, prefix)
  const [owner, other] = await Promise.all([w.user('owner'), w.user('other')])
  const { createConversation } = (
    await run({
      document: CreateConversationDocument,
      token: owner.token,
      variables: { input: { kind: 'GROUP', subject: 'secret', participantExternalIds: ['other'] } },
    })
  ).expectData()
  ;(
    await run({
      document: SendMessageDocument,
      token: owner.token,
      variables: { input: { conversationId: createConversation.conversation.id, body: 'hello', clientMessageId: 'c1' } },
    })
  ).expectData()
  const { viewer } = (await run({ document: ViewerDocument, token: owner.token })).expectData()
  return { owner, other, conversationId: createConversation.conversation.id, tenantId: decodeGlobalId(viewer.tenant.id).id }
}

describe('row-level security (ROW_LEVEL_SECURITY=on)', () => {
  it('every tenant-owned table has row-level security and a tenant policy', async () => {
    const rows = await sql<{ relname: string; relrowsecurity: boolean; policies: string }>(
      `select c.relname, c.relrowsecurity, (select count(*)::text from pg_policies p where p.tablename = c.relname and p.policyname = 'tenant_isolation') as policies
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'`,
    )
    for (const model of TENANT_MODELS)
      expect(
        rows.find((r) => r.relname === model),
        model,
      ).toMatchObject({ relrowsecurity: true, policies: '1' })
  })

  it('sends, live delivery and reads work as without it', async () => {
    const a = await tenantWithConversation('rls-a')
    const sub = subscribe(t.wsUrl, {
      token: a.other.token,
      document: ConversationEventsDocument,
      variables: { conversationId: a.conversationId, afterSeq: 0 },
    })
    ;(
      await run({
        document: SendMessageDocument,
        token: a.owner.token,
        variables: { input: { conversationId: a.conversationId, body: 'second', clientMessageId: 'c2' } },
      })
    ).expectData()
    const events = await sub.waitFor(2)
    expect(events.map((e) => e.conversationEvents.seq)).toEqual([1, 2])
    await sub.close()
  })

  it("a query that forgets its tenant filter still sees and changes nothing of another tenant's, and nothing at all for no tenant", async () => {
    const a = await tenantWithConversation('rls-a')
    const b = await tenantWithConversation('rls-b')
    const prisma = t.app.services.prisma
    const conversationOfB = decodeGlobalId(b.conversationId).id
    // The app's unscoped client, working for tenant A, asked for B's rows by id.
    await asTenant(a.tenantId, async () => {
      expect(await prisma.conversation.findUnique({ where: { id: conversationOfB } })).toBeNull()
      expect(await prisma.message.count({ where: { conversationId: conversationOfB } })).toBe(0)
      expect((await prisma.message.updateMany({ where: { conversationId: conversationOfB }, data: { body: 'hijacked' } })).count).toBe(0)
      await expect(prisma.group.create({ data: { tenantId: b.tenantId, name: 'planted' } })).rejects.toThrow()
      // Its own rows are there.
      expect(await prisma.conversation.count({ where: { id: decodeGlobalId(a.conversationId).id } })).toBe(1)
    })
    // Working for no tenant: nothing.
    expect(await prisma.conversation.count()).toBe(0)
    expect(await prisma.user.count()).toBe(0)
    // B's data is intact.
    const [row] = await sql<{ body: string }>(`select body from "Message" where "conversationId" = $1 order by seq limit 1`, [
      conversationOfB,
    ])
    expect(row?.body).toBe('hello')
  })
})

describe('nodes starting at once', () => {
  it('all prepare the app role: the GRANTs of one wait for another instead of failing (tuple concurrently updated)', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => prepareAppRole(inject('databaseUrl'), 'graphile_worker')))
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([])
  })
})
