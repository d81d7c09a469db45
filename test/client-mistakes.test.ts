// Every client mistake is a 4xx with a typed code, logged at info with its code and no stack; error
// messages quote at most a short prefix of the input; production never sends originalError.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { seedTenant } from './kit/tokens.js'

let t: TestApp
let token: string
beforeAll(async () => {
  t = await startTestApp({ env: { NODE_ENV: 'production' } })
  token = await seedTenant().token('mistaken', 'member')
})
afterAll(() => t?.stop())

const MARKER = 'Q7marker'
const long = MARKER.repeat(5000) // 40 KB of input a message could echo

const mistakes: Array<[string, RequestInit & { path?: string }]> = [
  ['malformed JSON', { method: 'POST', body: `{"query": "{ viewer ${long}` }],
  ['a JSON array body', { method: 'POST', body: '[1, 2]' }],
  ['a JSON string body', { method: 'POST', body: JSON.stringify(long) }],
  ['no query', { method: 'POST', body: '{"variables": {}}' }],
  ['a query that is not a string', { method: 'POST', body: '{"query": {"a": 1}}' }],
  ['variables that are not an object', { method: 'POST', body: JSON.stringify({ query: '{ viewer { user { id } } }', variables: long }) }],
  ['a syntax error', { method: 'POST', body: JSON.stringify({ query: `{ viewer { user { id } } ${long}` }) }],
  ['an unknown field', { method: 'POST', body: JSON.stringify({ query: `{ ${MARKER.repeat(50)} }` }) }],
  ['an Int variable given a long string', { method: 'POST', body: JSON.stringify({ query: 'query($f: Int) { conversations(first: $f) { edges { cursor } } }', variables: { f: long } }) }],
  ['an ID variable given an object', { method: 'POST', body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: { a: long } } }) }],
  ['a missing required variable', { method: 'POST', body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }' }) }],
  ['an unknown operationName', { method: 'POST', body: JSON.stringify({ query: 'query A { viewer { user { id } } }', operationName: MARKER.repeat(50) }) }],
  ['a mutation over GET', { method: 'GET', path: `?query=${encodeURIComponent('mutation { markRead(input: { conversationId: "x", seq: 1 }) { __typename } }')}` }],
  ['a malformed global id', { method: 'POST', body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: long } }) }],
  ['a nesting deeper than the limit', { method: 'POST', body: JSON.stringify({ query: `{ viewer { user { id } } ${'__typename '.repeat(3000)}}` }) }],
]

describe('client mistakes (production)', () => {
  it.each(mistakes)('%s: 4xx or a typed error, a short message, no originalError, logged at info without a stack', async (_name, init) => {
    const logsBefore = t.logs.length
    const { path = '', ...request } = init
    const response = await fetch(`${t.graphqlUrl}${path}`, {
      ...request,
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
    })
    const text = await response.text()
    expect(response.status).toBeLessThan(500)
    const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }
    expect(body.errors?.length).toBeGreaterThan(0)
    for (const error of body.errors!) {
      expect(error.extensions?.['code']).toMatch(/^(BAD_USER_INPUT|PAYLOAD_TOO_LARGE)$/)
      expect(error.extensions).not.toHaveProperty('originalError')
      expect(error.message.length).toBeLessThanOrEqual(201)
    }
    expect(text.length).toBeLessThan(2000)
    const logged = t.logs.slice(logsBefore).join('')
    expect(logged).not.toMatch(/"level":50/)
    expect(logged).not.toMatch(/\\n\s+at /)
  })
})
