// What production exposes: no introspection or REST docs unless configured; origins from ALLOWED_ORIGINS
// (HTTP and WebSocket upgrades), never credentials for an arbitrary origin; mutations only from JSON.
import { print } from 'graphql'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'
import { ConversationDocument, CreateConversationDocument, SendMessageDocument } from '../client/generated/graphql.js'

const introspect = (app: TestApp) =>
  fetch(app.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __schema { queryType { name } } }"}',
  }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> },
  }))

describe('in production', () => {
  let prod: TestApp
  let prodOn: TestApp
  beforeAll(async () => {
    ;[prod, prodOn] = await Promise.all([
      startTestApp({ env: { NODE_ENV: 'production' } }),
      startTestApp({ env: { NODE_ENV: 'production', INTROSPECTION: 'true', REST_DOCS: 'true' } }),
    ])
  })
  afterAll(() => Promise.all([prod?.stop(), prodOn?.stop()]))

  it('introspection is refused unless INTROSPECTION=true', async () => {
    const refused = await introspect(prod)
    expect(refused.body.data ?? null).toBeNull()
    expect(refused.body.errors?.[0]?.message).toMatch(/introspection/i)
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect((await introspect(prodOn)).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } })
  })

  it('/rest/openapi.json and /rest/docs are off unless REST_DOCS=true', async () => {
    for (const path of ['/rest/openapi.json', '/rest/docs']) {
      expect((await fetch(`${prod.url}${path}`)).status).toBe(404)
      expect((await fetch(`${prodOn.url}${path}`)).status).toBe(200)
    }
  })

  it('field suggestions are off', async () => {
    const token = await tenantWorld(prod.graphqlUrl)
      .user('u')
      .then((u) => u.token)
    const response = await fetch(prod.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"query":"{ viewr { user { id } } }"}',
    })
    expect(JSON.stringify(await response.json())).not.toMatch(/Did you mean/)
  })
})

describe('ALLOWED_ORIGINS', () => {
  let t: TestApp
  let open: TestApp
  beforeAll(async () => {
    ;[t, open] = await Promise.all([
      startTestApp({ env: { ALLOWED_ORIGINS: 'https://app.example, https://admin.example' } }),
      startTestApp(),
    ])
  })
  afterAll(() => Promise.all([t?.stop(), open?.stop()]))

  const post = (app: TestApp, origin?: string) =>
    fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin && { origin }) },
      body: '{"query":"{ __typename }"}',
    })

  it('an HTTP request from an unlisted Origin is refused with 403; listed origins and requests without Origin are served', async () => {
    expect((await post(t, 'https://evil.example')).status).toBe(403)
    const preflight = await fetch(t.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const listed = await post(t, 'https://admin.example')
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://admin.example')
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull()
    expect((await post(t)).status).toBe(200) // no Origin: not affected
  })

  it('without ALLOWED_ORIGINS no origin is ever granted credentials', async () => {
    const response = await post(open, 'https://anywhere.example')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('a WebSocket upgrade from an unlisted Origin is refused with 403; a listed one and one without Origin connect', async () => {
    const token = (await tenantWorld(t.graphqlUrl).user('ws')).token
    const connect = (origin?: string) =>
      new Promise<number | 'acked'>((resolve) => {
        const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws', origin ? { origin } : {})
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })))
        socket.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') {
            resolve('acked')
            socket.close()
          }
        })
        socket.once('error', () => {})
      })
    expect(await connect('https://evil.example')).toBe(403)
    expect(await connect('https://app.example')).toBe('acked')
    expect(await connect()).toBe('acked')
  })
})

describe('mutations only from JSON bodies', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(() => t?.stop())

  it('a mutation sent as a form, multipart or text/plain is refused and writes nothing', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [owner] = await Promise.all([w.user('owner'), w.user('peer')])
    const run = client(t.graphqlUrl)
    const conversationId = (
      await run({
        document: CreateConversationDocument,
        token: owner.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['peer'] } },
      })
    ).expectData().createConversation.conversation.id
    const query = print(SendMessageDocument)
    const variables = JSON.stringify({ input: { conversationId, body: 'csrf', clientMessageId: 'csrf' } })
    const form = new FormData()
    form.set('operations', JSON.stringify({ query, variables: JSON.parse(variables) }))
    form.set('map', '{}')
    const bodies: Array<[string, RequestInit]> = [
      ['form', { body: new URLSearchParams({ query, variables }), headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      ['multipart', { body: form }],
      ['text/plain', { body: JSON.stringify({ query, variables: JSON.parse(variables) }), headers: { 'content-type': 'text/plain' } }],
    ]
    for (const [name, init] of bodies) {
      const response = await fetch(t.graphqlUrl, {
        ...init,
        method: 'POST',
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${owner.token}` },
      })
      expect(response.status, name).toBe(415)
    }
    const { conversation } = (
      await run({ document: ConversationDocument, token: owner.token, variables: { id: conversationId } })
    ).expectData()
    expect(conversation?.lastSeq).toBe(0)
    // The same mutation as JSON goes through.
    ;(
      await run({
        document: SendMessageDocument,
        token: owner.token,
        variables: { input: { conversationId, body: 'json', clientMessageId: 'json' } },
      })
    ).expectData()
  })
})

describe('slow requests', () => {
  it('a body trickling a byte every 5 s is cut off with 408 after REQUEST_TIMEOUT_MS', async () => {
    const { connect } = await import('node:net')
    const t = await startTestApp({ env: { REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000' } })
    try {
      const { port } = new URL(t.url)
      const socket = connect(Number(port), '127.0.0.1')
      let received = ''
      socket.on('data', (d) => (received += d))
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`)
      const trickle = setInterval(() => socket.writable && socket.write(' '), 5000)
      await closed
      clearInterval(trickle)
      expect(received).toMatch(/^HTTP\/1\.1 408/)
    } finally {
      await t.stop()
    }
  })
})
