// Query depth counts nested fields, whatever fragments they are written in: a client's curated fragments
// (the SDK nests four levels of spreads) cost nothing extra, and fragments never hide real depth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { tenantWorld } from './kit/world.js'

let t: TestApp
let token: string
beforeAll(async () => {
  t = await startTestApp()
  token = (await tenantWorld(t.graphqlUrl).user('depth', 'admin')).token
})
afterAll(() => t?.stop())

const post = async (query: string) => {
  const response = await fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  })
  return (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> }
}

/** conversations → edges → node → lastMessage → conversation → … : `levels` nested fields in all. */
const nested = (levels: number) => {
  let selection = 'id'
  let depth = 4 // conversations { edges { node { id } } }
  while (depth + 2 <= levels) {
    selection = `id lastMessage { id conversation { ${selection} } }`
    depth += 2
  }
  return { query: `{ conversations(first: 1) { edges { node { ${selection} } } } }`, depth }
}

describe('query depth', () => {
  it('a selection 12 fields deep passes; 14 deep is BAD_USER_INPUT, written inline or through fragments', async () => {
    const ok = nested(12)
    expect(ok.depth).toBe(12)
    expect((await post(ok.query)).errors).toBeUndefined()

    const deep = nested(14)
    expect(deep.depth).toBe(14)
    const refused = await post(deep.query)
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(refused.errors?.[0]?.message).toMatch(/depth/i)

    // The same 14 levels split across ten fragments are just as deep.
    const viaFragments = `{ conversations(first: 1) { edges { node { ...A } } } }
      fragment A on Conversation { id lastMessage { ...B } }
      fragment B on Message { id conversation { ...C } }
      fragment C on Conversation { id lastMessage { ...D } }
      fragment D on Message { id conversation { ...E } }
      fragment E on Conversation { id lastMessage { ...F } }
      fragment F on Message { id conversation { ...G } }
      fragment G on Conversation { id lastMessage { ...H } }
      fragment H on Message { id conversation { ...I } }
      fragment I on Conversation { id lastMessage { ...J } }
      fragment J on Message { id conversation { id } }`
    const refusedToo = await post(viaFragments)
    expect(refusedToo.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })

  it('fragment spreads add no depth of their own: 8 fields under 7 nested spreads pass', async () => {
    const result = await post(`{ viewer { ...V } }
      fragment V on Viewer { user { ...U1 } }
      fragment U1 on User { ...U2 }
      fragment U2 on User { ...U3 }
      fragment U3 on User { ...U4 }
      fragment U4 on User { ...U5 }
      fragment U5 on User { ...U6 }
      fragment U6 on User { ...U7 }
      fragment U7 on User { id externalId }`)
    expect(result.errors).toBeUndefined()
    expect(result.data).toMatchObject({ viewer: { user: { externalId: 'depth' } } })
  })
})
