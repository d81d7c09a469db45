// REST docs without internet: /rest/docs and everything it loads come from this server, and the OpenAPI
// document declares bearer auth so Swagger UI's "Authorize" / "Try it out" sends the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { seedTenant } from './kit/tokens.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

describe('REST docs', () => {
  it('/rest/openapi.json declares a bearer scheme required by every operation', async () => {
    const doc = (await fetch(`${t.url}/rest/openapi.json`).then((r) => r.json())) as {
      components: { securitySchemes?: Record<string, { type: string; scheme: string }>; schemas: object }
      security?: Record<string, string[]>[]
    }
    expect(doc.components.securitySchemes?.['bearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    expect(doc.security).toEqual([{ bearerAuth: [] }])
    // SOFA's generated schemas are still there beside the scheme.
    expect(Object.keys(doc.components.schemas)).toContain('Message')
  })

  it('a POST operation documents its arguments once, in the JSON body: no query parameter repeats them', async () => {
    // SOFA also listed them as query parameters ("input" required, an object), so Swagger UI's "Try it
    // out" put example values in the URL (?body=string&internal=true…), and SOFA reads the query first.
    type Operation = {
      parameters?: { in: string; name: string }[]
      requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } }
    }
    const doc = (await fetch(`${t.url}/rest/openapi.json`).then((r) => r.json())) as { paths: Record<string, Record<string, Operation>> }
    const send = Object.entries(doc.paths).find(([path]) => path.endsWith('/send-message'))?.[1]['post']
    expect(Object.keys(send?.requestBody?.content['application/json'].schema.properties ?? {})).toContain('input')
    expect(send?.parameters ?? []).toEqual([])
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const body = Object.keys(op.requestBody?.content['application/json']?.schema.properties ?? {})
        const repeated = (op.parameters ?? []).filter((p) => p.in === 'query' && body.includes(p.name))
        expect(repeated, `${method} ${path}`).toEqual([])
      }
    }
    // GET operations keep their query parameters.
    const messages = Object.entries(doc.paths).find(([path]) => path.endsWith('/messages'))?.[1]['get']
    expect(messages?.parameters?.map((p) => p.name)).toContain('conversationId')
  })

  it('/rest/docs references only this server’s assets, each answering 200', async () => {
    const response = await fetch(`${t.url}/rest/docs`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/text\/html/)
    const html = await response.text()
    expect(html).not.toMatch(/https?:\/\//)
    const urls = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(urls).toEqual(expect.arrayContaining(['/rest/docs/assets/swagger-ui-bundle.js', '/rest/docs/assets/swagger-ui.css']))
    for (const url of urls) {
      const asset = await fetch(new URL(url, t.url))
      expect(asset.status, url).toBe(200)
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(0)
    }
    const start = await fetch(`${t.url}/rest/docs/assets/start.js`).then((r) => r.text())
    expect(start).toContain("url: '/rest/openapi.json'")
    expect((await fetch(`${t.url}/rest/docs/assets/index.html`)).status).toBe(404)
  })

  it('what "Try it out" sends after "Authorize" works: the bearer header on a generated route', async () => {
    const token = await seedTenant().token('docs-user', 'member')
    const ok = await fetch(`${t.url}/rest/viewer`, { headers: { authorization: `Bearer ${token}` } })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { user: { externalId: string } }).user.externalId).toBe('docs-user')
    expect((await fetch(`${t.url}/rest/viewer`)).status).toBe(401)
  })

  it('is off in production unless REST_DOCS=true', async () => {
    const prod = await startTestApp({ env: { NODE_ENV: 'production' } })
    try {
      for (const path of ['/rest/docs', '/rest/docs/assets/swagger-ui-bundle.js', '/rest/openapi.json'])
        expect((await fetch(`${prod.url}${path}`)).status, path).toBe(404)
    } finally {
      await prod.stop()
    }
  })
})
