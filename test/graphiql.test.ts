// GraphiQL without internet: the page and all its assets come from this server, and its fetcher (the
// script the page runs) authenticates subscriptions with the headers editor's token as graphql-ws
// connectionParams. The fetcher is the very script the server serves, run here in a VM with Node's
// fetch and the `ws` WebSocket.
import { runInNewContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'
import { CreateConversationDocument, SendMessageDocument } from '../client/generated/graphql.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

type Fetcher = (params: { query: string; operationName?: string; variables?: unknown }, opts?: { headers?: Record<string, string> }) => any
interface ClientApi {
  createFetcher(options: {
    url: string
    base?: string
    fetch?: typeof fetch
    createClient?: typeof createClient
    WebSocket?: unknown
  }): Fetcher
  operationType(query: string, operationName?: string): string
}

async function page() {
  const response = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/text\/html/)
  return response.text()
}

/** The served client script, evaluated as a browser would (a fresh global with `self`). */
async function clientApi(): Promise<ClientApi> {
  const script = await fetch(`${t.url}/graphiql/switchboard-graphiql.js`).then((r) => r.text())
  const sandbox: Record<string, unknown> = { URL, Promise, Symbol, JSON, Object, String }
  sandbox['self'] = sandbox
  runInNewContext(script, sandbox)
  return sandbox['SwitchboardGraphiQL'] as ClientApi
}

function assetUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
}

describe('GraphiQL, self-contained', () => {
  it('the page loads its scripts and styles only from this server, and each of them answers 200', async () => {
    const html = await page()
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//)
    const urls = assetUrls(html)
    expect(urls.length).toBeGreaterThanOrEqual(5)
    for (const url of urls) {
      expect(url.startsWith('/')).toBe(true)
      const asset = await fetch(new URL(url, t.url))
      expect(asset.status, url).toBe(200)
      const text = await asset.text()
      expect(text.length, url).toBeGreaterThan(0)
      expect(text, url).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/)
    }
    // Monaco's workers, which the client script points at, too.
    for (const worker of ['editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      expect((await fetch(`${t.url}/graphiql/${worker}`)).status, worker).toBe(200)
    }
    expect((await fetch(`${t.url}/graphiql/nope.js`)).status).toBe(404)
  })

  it('the first screen sends no Authorization header and the schema loads without a token', async () => {
    const html = await page()
    const options = JSON.parse(/<script id="graphiql-options" type="application\/json">([^<]*)<\/script>/.exec(html)![1]!)
    expect(JSON.parse(options.headers)).toEqual({})
    expect(options.defaultQuery).toContain('Authorization')
    // What GraphiQL sends first: an introspection query with the (empty) headers: data, no error.
    const introspection = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } subscriptionType { name } } }' }),
    }).then((r) => r.json())
    expect(introspection).toEqual({ data: { __schema: { queryType: { name: 'Query' }, subscriptionType: { name: 'Subscription' } } } })
    // Data still needs a token (protect-all is unchanged).
    const viewer = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } viewer { user { id } } }' }),
    }).then((r) => r.json())
    expect(viewer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
    expect(viewer.data ?? null).toBeNull()
  })

  it('is off in production unless GRAPHIQL=true, and so are its assets', async () => {
    const prod = await startTestApp({ env: { NODE_ENV: 'production' } })
    const on = await startTestApp({ env: { NODE_ENV: 'production', GRAPHIQL: 'true' } })
    try {
      expect((await fetch(`${prod.url}/graphiql/switchboard-graphiql.js`)).status).toBe(404)
      const html = await fetch(prod.graphqlUrl, { headers: { accept: 'text/html' } })
      expect(html.headers.get('content-type') ?? '').not.toMatch(/text\/html/)
      expect((await fetch(`${on.url}/graphiql/switchboard-graphiql.js`)).status).toBe(200)
    } finally {
      await Promise.all([prod.stop(), on.stop()])
    }
  })
})

describe('the GraphiQL fetcher', () => {
  it('tells subscriptions from queries and mutations', async () => {
    const { operationType } = await clientApi()
    expect(operationType('{ viewer { user { id } } }')).toBe('query')
    expect(operationType('# subscription in a comment\nmutation M { a }')).toBe('mutation')
    expect(operationType('fragment F on Subscription { x } subscription S($a: In = {b: "}"}) { e(a: $a) { ...F } }')).toBe('subscription')
    expect(operationType('query Q { a } subscription S { b }', 'S')).toBe('subscription')
    expect(operationType('query Q { a } subscription S { b }', 'Q')).toBe('query')
  })

  it('runs a subscription with the headers-editor token as connectionParams and receives a message sent by another client', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const run = client(t.graphqlUrl)
    const [op, member] = await Promise.all([w.user('gq-op', 'operator'), w.user('gq-m')])
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: op.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['gq-m'] } },
      })
    ).expectData()
    const conversationId = createConversation.conversation.id

    const { createFetcher } = await clientApi()
    const fetcher = createFetcher({ url: '/graphql', base: t.url, fetch, createClient, WebSocket })
    const headers = { Authorization: `Bearer ${member.token}` }

    // A query over HTTP with the same headers.
    expect(await fetcher({ query: '{ viewer { user { externalId } } }' }, { headers })).toEqual({
      data: { viewer: { user: { externalId: 'gq-m' } } },
    })

    const send = (body: string) =>
      run({ document: SendMessageDocument, token: op.token, variables: { input: { conversationId, body, clientMessageId: body } } }).then(
        (r) => r.expectData().sendMessage.message,
      )
    const before = await send('before')
    // afterSeq: the event arrives whether the subscription is live before the send or replays it.
    const events = fetcher(
      {
        query:
          'subscription Events($id: ID!, $after: Int) { conversationEvents(conversationId: $id, afterSeq: $after) { seq ... on MessageAddedEvent { message { body } } } }',
        operationName: 'Events',
        variables: { id: conversationId, after: before.seq },
      },
      { headers },
    )
    const first = events.next()
    await send('from another client')
    const received = await first
    expect(received.done).toBe(false)
    expect(received.value.errors).toBeUndefined()
    expect(received.value.data).toEqual({ conversationEvents: { seq: before.seq + 1, message: { body: 'from another client' } } })
    await events.return()
  })

  it('a subscription the server refuses shows the server’s own errors (they used to read "[object Object]")', async () => {
    const member = await tenantWorld(t.graphqlUrl).user('gq-refused')
    const { createFetcher } = await clientApi()
    const fetcher = createFetcher({ url: '/graphql', base: t.url, fetch, createClient, WebSocket })
    const headers = { Authorization: `Bearer ${member.token}` }
    const invalid = fetcher({ query: 'subscription { conversationEvents(conversationId: "x") { nope } }' }, { headers })
    const first = await invalid.next()
    expect(first.value.errors[0].message).toMatch(/Cannot query field "nope"/)
    expect((await invalid.next()).done).toBe(true)
    // Among several operations, a name that is none of them is the server's to refuse, readably.
    const unnamed = fetcher(
      {
        query: 'query Q { viewer { user { id } } } subscription Events { conversationEvents(conversationId: "x") { seq } }',
        operationName: 'Viewer',
      },
      { headers },
    )
    expect(await unnamed).toEqual({
      errors: [{ message: 'Could not determine what operation to execute.', extensions: { code: 'BAD_USER_INPUT' } }],
    })
  })

  it('GraphiQL sends the operation name it last saw, a moment late: with one operation in the document, a stale name runs that operation', async () => {
    const member = await tenantWorld(t.graphqlUrl).user('gq-stale-name')
    const { createFetcher } = await clientApi()
    const fetcher = createFetcher({ url: '/graphql', base: t.url, fetch, createClient, WebSocket })
    const result = await fetcher(
      { query: 'query Me { viewer { user { externalId } } }', operationName: 'Previous' },
      { headers: { Authorization: `Bearer ${member.token}` } },
    )
    expect(result).toEqual({ data: { viewer: { user: { externalId: 'gq-stale-name' } } } })
  })

  it('a subscription without a token gets a readable 4401 error, not a bare event', async () => {
    const { createFetcher } = await clientApi()
    const fetcher = createFetcher({ url: '/graphql', base: t.url, fetch, createClient, WebSocket })
    const events = fetcher({ query: 'subscription { conversationEvents(conversationId: "x") { seq } }' }, { headers: {} })
    const first = await events.next()
    expect(first.value.errors[0].message).toMatch(/^WebSocket closed: 4401/)
    expect((await events.next()).done).toBe(true)
  })
})
