// GraphQL over HTTP conformance: every MUST and SHOULD audit of graphql-http's serverAudits against the
// real server (with a valid token, as a client of ours would send). There are no exceptions: every
// audit must pass.
import { serverAudits } from 'graphql-http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { seedTenant } from './kit/tokens.js'

let t: TestApp
let token: string
beforeAll(async () => {
  t = await startTestApp()
  token = await seedTenant().token('audit', 'member')
})
afterAll(() => t?.stop())

const audits = serverAudits({
  url: () => t.graphqlUrl,
  fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${token}`)
    return fetch(input, { ...init, headers })
  },
}).filter((audit) => audit.name.startsWith('MUST') || audit.name.startsWith('SHOULD'))

describe('graphql-http serverAudits (MUST and SHOULD)', () => {
  it('there are audits to run', () => {
    expect(audits.length).toBeGreaterThan(20)
  })

  it.each(audits.map((a) => [a.name, a] as const))('%s', async (_name, audit) => {
    const result = await audit.fn()
    expect(result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`).toBe('ok')
  })
})
