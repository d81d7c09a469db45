import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { seedTenant, signToken } from './kit/tokens.js'
import { NodeDocument, UpsertUserDocument, ViewerDocument } from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

const tenantCount = (tid: string) => t.app.services.prisma.tenant.count({ where: { externalId: tid } })

describe('authentication', () => {
  it("viewer returns the token's tenant and user, provisioned on first sight", async () => {
    const tenant = seedTenant()
    const token = await tenant.token('alice', 'operator', { name: 'Alice A.' })
    const { viewer } = (await run({ document: ViewerDocument, token })).expectData()
    expect(viewer.tenant.externalId).toBe(tenant.tid)
    expect(viewer.user).toMatchObject({ externalId: 'alice', displayName: 'Alice A.', role: 'OPERATOR' })
    // The same token again finds the same user.
    const again = (await run({ document: ViewerDocument, token })).expectData()
    expect(again.viewer.user.id).toBe(viewer.user.id)
    expect(await tenantCount(tenant.tid)).toBe(1)
  })

  it('without a token the API answers UNAUTHENTICATED with HTTP 401', async () => {
    const result = await run({ document: ViewerDocument })
    expect(result.status).toBe(401)
    result.expectError('UNAUTHENTICATED')
    expect(result.data ?? null).toBeNull()
  })

  const badTokens: Array<[string, () => Promise<Record<string, string>>]> = [
    ['a malformed Authorization header', async () => ({ authorization: 'Token abc' })],
    ['a token that is not a JWT', async () => ({ authorization: 'Bearer not-a-jwt' })],
    [
      'an expired token',
      async () => ({ authorization: `Bearer ${await signToken({ tid: 'expired-t', sub: 'u', role: 'admin', expiresIn: -60 })}` }),
    ],
    [
      'a token signed with another secret',
      async () => ({
        authorization: `Bearer ${await signToken({ tid: 'forged-t', sub: 'u', role: 'admin', secret: 'another-secret-of-enough-length' })}`,
      }),
    ],
    [
      'a token with an unknown role',
      async () => ({ authorization: `Bearer ${await signToken({ tid: 'role-t', sub: 'u', role: 'superuser' })}` }),
    ],
    ['a token without tid', async () => ({ authorization: `Bearer ${await signToken({ tid: '', sub: 'u', role: 'admin' })}` })],
    [
      'a token with role __proto__',
      async () => ({ authorization: `Bearer ${await signToken({ tid: 'proto-t', sub: 'u', role: '__proto__' })}` }),
    ],
    [
      'a token with role constructor',
      async () => ({ authorization: `Bearer ${await signToken({ tid: 'proto-t', sub: 'u', role: 'constructor' })}` }),
    ],
    [
      'a token without exp',
      async () => ({ authorization: `Bearer ${await signToken({ tid: 'noexp-t', sub: 'u', role: 'admin', expiresIn: null })}` }),
    ],
  ]
  it.each(badTokens)('%s is refused with UNAUTHENTICATED and nothing is written', async (_name, headers) => {
    const h = await headers()
    const result = await run({ document: ViewerDocument, headers: h })
    expect(result.status).toBe(401)
    result.expectError('UNAUTHENTICATED')
    for (const tid of ['expired-t', 'forged-t', 'role-t', 'proto-t', 'noexp-t']) expect(await tenantCount(tid)).toBe(0)
  })

  it('an expired token says so', async () => {
    const token = await signToken({ tid: 'expired-t', sub: 'u', role: 'admin', expiresIn: -60 })
    const error = (await run({ document: ViewerDocument, token })).expectError('UNAUTHENTICATED')
    expect(error.message).toMatch(/expired/i)
  })

  it('tokens never reach the logs', async () => {
    const tenant = seedTenant()
    const token = await tenant.token('logged', 'member')
    const { viewer } = (await run({ document: ViewerDocument, token })).expectData()
    await run({ document: ViewerDocument, headers: { authorization: `Bearer ${token}x` } })
    const logs = t.logs.join('')
    // The operation was logged, with its tenant and user (row ids), so the check below looks at real lines.
    const lines = t.logs.map((line) => JSON.parse(line) as { operationName?: string; tenantId?: string; userId?: string })
    const rowId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]
    expect(
      lines.filter((l) => l.operationName === 'Viewer' && l.tenantId === rowId(viewer.tenant.id) && l.userId === rowId(viewer.user.id)),
    ).toHaveLength(1)
    expect(logs).not.toContain(token.split('.')[2]!)
  })
})

describe('roles', () => {
  it('admins and services upsert users ahead of their first sign-in; operators and members may not', async () => {
    const tenant = seedTenant()
    for (const role of ['admin', 'service'] as const) {
      const token = await tenant.token(`${role}-1`, role)
      const { upsertUser } = (
        await run({
          document: UpsertUserDocument,
          token,
          variables: { input: { externalId: `pre-${role}`, displayName: 'Pre', role: 'MEMBER' } },
        })
      ).expectData()
      expect(upsertUser.user).toMatchObject({ externalId: `pre-${role}`, role: 'MEMBER' })
    }
    for (const role of ['operator', 'member'] as const) {
      const token = await tenant.token(`${role}-1`, role)
      const result = await run({
        document: UpsertUserDocument,
        token,
        variables: { input: { externalId: `nope-${role}`, displayName: 'N', role: 'ADMIN' } },
      })
      result.expectError('FORBIDDEN')
      expect(await t.app.services.prisma.user.count({ where: { externalId: `nope-${role}` } })).toBe(0)
    }
  })

  it('authorization follows the role in the token, not the role stored by upsertUser', async () => {
    const tenant = seedTenant()
    const admin = await tenant.token('admin', 'admin')
    ;(
      await run({
        document: UpsertUserDocument,
        token: admin,
        variables: { input: { externalId: 'promoted', displayName: 'P', role: 'ADMIN' } },
      })
    ).expectData()
    const asMember = await tenant.token('promoted', 'member')
    const { viewer } = (await run({ document: ViewerDocument, token: asMember })).expectData()
    expect(viewer.user.role).toBe('MEMBER')
    ;(
      await run({
        document: UpsertUserDocument,
        token: asMember,
        variables: { input: { externalId: 'x', displayName: 'x', role: 'MEMBER' } },
      })
    ).expectError('FORBIDDEN')
  })

  it('blank upsertUser fields are BAD_USER_INPUT', async () => {
    const token = await seedTenant().token('admin', 'admin')
    const result = await run({
      document: UpsertUserDocument,
      token,
      variables: { input: { externalId: '  ', displayName: 'x', role: 'MEMBER' } },
    })
    result.expectError('BAD_USER_INPUT')
  })
})

describe('bad input', () => {
  it('malformed JSON is a 400 with an error, not a crash', async () => {
    const token = await seedTenant().token('u', 'member')
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"query": "{ viewer ',
    })
    expect(response.status).toBe(400)
    const json = (await response.json()) as { errors: Array<{ extensions?: { code?: string } }> }
    expect(json.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })

  it('a malformed global id is BAD_USER_INPUT', async () => {
    const token = await seedTenant().token('u', 'member')
    for (const id of ['nonsense', Buffer.from('User:not-a-uuid').toString('base64'), Buffer.from('user:1').toString('base64')])
      (await run({ document: NodeDocument, token, variables: { id } })).expectError('BAD_USER_INPUT')
  })

  it('a request body over MAX_REQUEST_BYTES is refused with 413', async () => {
    const token = await seedTenant().token('u', 'member')
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ viewer { user { id } } }', variables: { pad: 'x'.repeat(1_100_000) } }),
    })
    expect(response.status).toBe(413)
  })
})

describe('token verification settings', () => {
  it.each(['RS256', 'ES256'] as const)('JWT_PUBLIC_KEY verifies %s tokens from the platform; HS256 tokens are refused', async (alg) => {
    const { generateKeyPair, exportSPKI, SignJWT } = await import('jose')
    const { publicKey, privateKey } = await generateKeyPair(alg)
    const own = await startTestApp({ env: { JWT_SECRET: '', JWT_PUBLIC_KEY: await exportSPKI(publicKey) } })
    try {
      const token = await new SignJWT({ tid: `pk-${alg}`, role: 'member' })
        .setProtectedHeader({ alg })
        .setSubject('u')
        .setExpirationTime('1h')
        .sign(privateKey)
      const { viewer } = (await client(own.graphqlUrl)({ document: ViewerDocument, token })).expectData()
      expect(viewer.tenant.externalId).toBe(`pk-${alg}`)
      const hs = await signToken({ tid: `pk-${alg}`, sub: 'u', role: 'member' })
      ;(await client(own.graphqlUrl)({ document: ViewerDocument, token: hs })).expectError('UNAUTHENTICATED')
    } finally {
      await own.stop()
    }
  })

  it('JWT_ALLOW_NO_EXP=true accepts a token without exp', async () => {
    const own = await startTestApp({ env: { JWT_ALLOW_NO_EXP: 'true' } })
    try {
      const tid = seedTenant().tid
      const token = await signToken({ tid, sub: 'u', role: 'member', expiresIn: null })
      const { viewer } = (await client(own.graphqlUrl)({ document: ViewerDocument, token })).expectData()
      expect(viewer.tenant.externalId).toBe(tid)
    } finally {
      await own.stop()
    }
  })

  it('JWT_MAX_TOKEN_LIFETIME_SECONDS refuses longer-lived tokens and tokens without iat, before writing anything', async () => {
    const own = await startTestApp({ env: { JWT_MAX_TOKEN_LIFETIME_SECONDS: '600' } })
    try {
      const run = client(own.graphqlUrl)
      const tid = seedTenant('lifetime').tid
      ;(await run({ document: ViewerDocument, token: await signToken({ tid, sub: 'u', role: 'member', expiresIn: 601 }) })).expectError(
        'UNAUTHENTICATED',
      )
      ;(
        await run({ document: ViewerDocument, token: await signToken({ tid, sub: 'u', role: 'member', expiresIn: 300, issuedAt: null }) })
      ).expectError('UNAUTHENTICATED')
      // iat in the past does not stretch the lifetime: exp − iat is what counts.
      ;(
        await run({ document: ViewerDocument, token: await signToken({ tid, sub: 'u', role: 'member', expiresIn: 300, issuedAt: -400 }) })
      ).expectError('UNAUTHENTICATED')
      expect(await tenantCount(tid)).toBe(0)
      ;(await run({ document: ViewerDocument, token: await signToken({ tid, sub: 'u', role: 'member', expiresIn: 600 }) })).expectData()
    } finally {
      await own.stop()
    }
  })

  it('JWT_ISSUER and JWT_AUDIENCE are required when set', async () => {
    const { SignJWT } = await import('jose')
    const own = await startTestApp({ env: { JWT_ISSUER: 'https://platform.example', JWT_AUDIENCE: 'switchboard' } })
    try {
      const sign = (claims: { iss?: string; aud?: string }) =>
        new SignJWT({ tid: 'iss-t', role: 'member', ...claims })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u')
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(TEST_JWT_SECRET))
      const run = client(own.graphqlUrl)
      ;(await run({ document: ViewerDocument, token: await sign({ iss: 'https://platform.example', aud: 'switchboard' }) })).expectData()
      ;(await run({ document: ViewerDocument, token: await sign({ aud: 'switchboard' }) })).expectError('UNAUTHENTICATED')
      ;(await run({ document: ViewerDocument, token: await sign({ iss: 'https://platform.example', aud: 'other' }) })).expectError(
        'UNAUTHENTICATED',
      )
    } finally {
      await own.stop()
    }
  })
})
