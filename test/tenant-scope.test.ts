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
    expect((await run({ document: NodeDocument, token: a.token, variables: { id: a.userId } })).expectData().node).toMatchObject({ __typename: 'User', id: a.userId })
  })
})
