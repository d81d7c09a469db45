// Every client mistake is a BAD_USER_INPUT with its exact HTTP status, logged at info with its code and
// no stack; error messages quote at most a short prefix of the input; production never sends originalError.
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

// [mistake, HTTP status, request], sent with `Accept: application/graphql-response+json, application/json`:
// variables that do not coerce and malformed ids come back as errors in a 200 application/json response.
const mistakes: Array<[string, number, RequestInit & { path?: string }]> = [
  ['malformed JSON', 400, { method: 'POST', body: `{"query": "{ viewer ${long}` }],
  ['a JSON array body', 400, { method: 'POST', body: '[1, 2]' }],
  ['a JSON string body', 400, { method: 'POST', body: JSON.stringify(long) }],
  ['no query', 400, { method: 'POST', body: '{"variables": {}}' }],
  ['a query that is not a string', 400, { method: 'POST', body: '{"query": {"a": 1}}' }],
  [
    'variables that are not an object',
    400,
    { method: 'POST', body: JSON.stringify({ query: '{ viewer { user { id } } }', variables: long }) },
  ],
  ['a syntax error', 400, { method: 'POST', body: JSON.stringify({ query: `{ viewer { user { id } } ${long}` }) }],
  ['an unknown field', 400, { method: 'POST', body: JSON.stringify({ query: `{ ${MARKER.repeat(50)} }` }) }],
  [
    'an Int variable given a long string',
    200,
    {
      method: 'POST',
      body: JSON.stringify({ query: 'query($f: Int) { conversations(first: $f) { edges { cursor } } }', variables: { f: long } }),
    },
  ],
  [
    'an ID variable given an object',
    200,
    { method: 'POST', body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: { a: long } } }) },
  ],
  ['a missing required variable', 200, { method: 'POST', body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }' }) }],
  [
    'an unknown operationName',
    400,
    { method: 'POST', body: JSON.stringify({ query: 'query A { viewer { user { id } } }', operationName: MARKER.repeat(50) }) },
  ],
  [
    'a mutation over GET',
    405,
    { method: 'GET', path: `?query=${encodeURIComponent('mutation { markRead(input: { conversationId: "x", seq: 1 }) { __typename } }')}` },
  ],
  [
    'a malformed global id',
    200,
    { method: 'POST', body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: long } }) },
  ],
  [
    'a nesting deeper than the limit',
    400,
    { method: 'POST', body: JSON.stringify({ query: `{ viewer { user { id } } ${'__typename '.repeat(3000)}}` }) },
  ],
]

describe('client mistakes (production)', () => {
  it.each(mistakes)(
    '%s: HTTP %i, BAD_USER_INPUT, a short message, no originalError, logged at info without a stack',
    async (_name, status, init) => {
      const logsBefore = t.logs.length
      const { path = '', ...request } = init
      const response = await fetch(`${t.graphqlUrl}${path}`, {
        ...request,
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${token}`,
        },
      })
      const text = await response.text()
      expect(response.status).toBe(status)
      const body = JSON.parse(text) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }
      expect(body.errors?.length).toBeGreaterThan(0)
      for (const error of body.errors!) {
        expect(error.extensions?.['code']).toBe('BAD_USER_INPUT')
        expect(error.extensions).not.toHaveProperty('originalError')
        expect(error.message.length).toBeLessThanOrEqual(201)
      }
      expect(text.length).toBeLessThan(2000)
      const logged = t.logs.slice(logsBefore).join('')
      expect(logged).not.toMatch(/"level":50/)
      expect(logged).not.toMatch(/\\n\s+at /)
    },
  )
})
