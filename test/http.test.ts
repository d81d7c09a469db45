import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedTenant } from './kit/tokens.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { waitUntil } from './kit/ready.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

describe('operational endpoints', () => {
  it('/health answers 200 while the process runs', async () => {
    expect((await fetch(`${t.url}/health`)).status).toBe(200)
  })

  it('/ready answers 200 when the database answers', async () => {
    expect((await fetch(`${t.url}/ready`)).status).toBe(200)
  })

  it('/ready answers 503 while the database does not answer, /health still 200', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-ready-'))
    const own = await startTestApp({ env: { DATABASE_URL: '', DATA_DIR: dir } })
    try {
      expect((await fetch(`${own.url}/ready`)).status).toBe(200)
      const pid = Number(fs.readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0])
      process.kill(pid, 'SIGINT')
      await waitUntil(async () => (await fetch(`${own.url}/ready`)).status === 503, '/ready answers 503', 10_000)
      expect((await fetch(`${own.url}/health`)).status).toBe(200)
      // An operation that needs the database is a typed, retryable UNAVAILABLE (503 + Retry-After), not a 500.
      const token = await seedTenant('down').token('new-user', 'member')
      const response = await fetch(own.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ viewer { user { id } } }' }),
      })
      const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string; retryAfter?: number } }> }
      expect(body.errors?.[0]?.extensions, JSON.stringify(body)).toMatchObject({ code: 'UNAVAILABLE', retryAfter: 1 })
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('1')
    } finally {
      await own.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('/metrics serves Prometheus text with request and message-flow metrics', async () => {
    await fetch(t.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })
    const response = await fetch(`${t.url}/metrics`)
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).toContain('# TYPE switchboard_messages_sent_total counter')
    expect(text).toContain('graphql_yoga_http_duration')
    expect(text).toContain('switchboard_process_cpu_user_seconds_total')
  })

  it('GraphiQL opens at GET /graphql for a browser', async () => {
    const response = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('GraphiQL')
  })

  it('introspection works without a token, so GraphiQL can show the schema', async () => {
    const response = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __schema { queryType { name } } }"}',
    })
    expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } })
  })
})

describe('GraphiQL in production', () => {
  it('is off unless GRAPHIQL=true', async () => {
    const off = await startTestApp({ env: { NODE_ENV: 'production' } })
    const on = await startTestApp({ env: { NODE_ENV: 'production', GRAPHIQL: 'true' } })
    try {
      const html = (url: string) =>
        fetch(url, { headers: { accept: 'text/html' } }).then(async (r) => (await r.text()).includes('GraphiQL'))
      expect(await html(off.graphqlUrl)).toBe(false)
      expect(await html(on.graphqlUrl)).toBe(true)
    } finally {
      await Promise.all([off.stop(), on.stop()])
    }
  })
})
