// The one cost model for every transport: each field with `first`/`last` asks for that many items per
// parent item; the operation's total is what MAX_LIST_NODES is compared with.
import { parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { requestedListNodes } from '../../src/limits/list-size.js'

const nodes = (source: string, variables?: Record<string, unknown>, operationName?: string) =>
  requestedListNodes(parse(source), operationName, variables)

describe('requested list items', () => {
  it('nested pages multiply: 100 conversations with 200 messages each ask for 100 + 100 × 200', () => {
    expect(nodes('{ conversations(first: 100) { edges { node { messages(first: 200) { edges { node { id } } } } } } }')).toBe(20_100)
  })

  it('a field without first/last does not multiply; siblings add up', () => {
    expect(
      nodes(
        '{ viewer { user { id } } a: conversations(first: 3) { edges { node { id } } } b: conversations(last: 4) { edges { node { id } } } }',
      ),
    ).toBe(7)
  })

  it('sizes come from variables too; a missing or non-numeric variable counts as no page', () => {
    const doc = 'query Q($n: Int, $m: Int) { conversations(first: $n) { edges { node { messages(last: $m) { edges { node { id } } } } } } }'
    expect(nodes(doc, { n: 10, m: 5 })).toBe(60)
    expect(nodes(doc, { n: 10 })).toBe(10)
    expect(nodes(doc, { n: '10', m: 5 })).toBe(5)
  })

  it('fragments and inline fragments count where they are spread', () => {
    const doc = `
      { conversations(first: 10) { edges { node { ...M ... on Conversation { participants(first: 3) { id } } } } } }
      fragment M on Conversation { messages(first: 20) { edges { node { id } } } }`
    expect(nodes(doc)).toBe(10 + 10 * 20 + 10 * 3)
  })

  it('a cycle of fragments (invalid, but parsed before validation) is walked once, not forever', () => {
    const doc = `{ conversations(first: 2) { edges { node { ...A } } } }
      fragment A on Conversation { messages(first: 3) { edges { node { ...B } } } }
      fragment B on Message { conversation { ...A } }`
    expect(nodes(doc)).toBe(2 + 2 * 3)
  })

  it('a negative page asks for nothing below it; an unknown operation asks for nothing', () => {
    expect(nodes('{ conversations(first: -5) { edges { node { messages(first: 100) { edges { node { id } } } } } } }')).toBe(0)
    expect(nodes('query A { conversations(first: 5) { edges { node { id } } } }', undefined, 'B')).toBe(0)
  })

  it('the operation named is the one counted', () => {
    const doc =
      'query A { conversations(first: 5) { edges { node { id } } } } query B { conversations(first: 7) { edges { node { id } } } }'
    expect([nodes(doc, undefined, 'A'), nodes(doc, undefined, 'B')]).toEqual([5, 7])
  })
})
