// Pagination cursors are decoded, validated and tenant-scoped: a cursor made from a row the viewer cannot
// see (another tenant's, or a DIRECT conversation of others) answers exactly like one made from a random
// id, and a malformed cursor is BAD_USER_INPUT (logged at info, without a stack), on every connection.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import {
  ConversationPageDocument,
  CreateConversationDocument,
  MessagePageDocument,
  MessagesDocument,
  SendMessageDocument,
} from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
let viewer: TestUser
/** The viewer's conversations, most recent first; the first has 3 messages. */
let mine: string[]
let foreignConversation: string
let othersDirect: string

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!
const conversationCursor = (uuid: string) => b64(`GPC:S:${uuid}`)
const messageCursor = (conversationUuid: string, seq: number) => b64(`GPC:T:${JSON.stringify([`S:${conversationUuid}`, `N:${seq}`])}`)

beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
  const a = tenantWorld(t.graphqlUrl, 'cursor-a')
  const b = tenantWorld(t.graphqlUrl, 'cursor-b')
  const [me, peer, x, y, bAdmin, bPeer] = await Promise.all([
    a.user('me'),
    a.user('peer'),
    a.user('x'),
    a.user('y'),
    b.user('admin', 'admin'),
    b.user('b-peer'),
  ])
  viewer = me
  const create = async (user: TestUser, input: { kind: 'GROUP' | 'DIRECT'; participantExternalIds: string[] }) =>
    (await run({ document: CreateConversationDocument, token: user.token, variables: { input } })).expectData().createConversation
      .conversation.id
  const send = async (user: TestUser, conversationId: string, n: number) => {
    for (let i = 0; i < n; i++)
      (
        await run({
          document: SendMessageDocument,
          token: user.token,
          variables: { input: { conversationId, body: `m${i}`, clientMessageId: randomUUID() } },
        })
      ).expectData()
  }
  mine = []
  for (let i = 0; i < 4; i++) mine.unshift(await create(me, { kind: 'GROUP', participantExternalIds: ['peer'] }))
  othersDirect = await create(x, { kind: 'DIRECT', participantExternalIds: ['y'] })
  foreignConversation = await create(bAdmin, { kind: 'GROUP', participantExternalIds: ['b-peer'] })
  await send(x, othersDirect, 3)
  await send(bAdmin, foreignConversation, 3)
  await send(peer, mine[3]!, 3) // the oldest becomes the most recent
  mine.unshift(mine.pop()!)
  void bPeer
  void y
})
afterAll(() => t?.stop())

describe('a cursor of a row the viewer cannot see answers exactly like a random one', () => {
  const pages = (cursor: string) =>
    Promise.all([
      run({ document: ConversationPageDocument, token: viewer.token, variables: { first: 2, after: cursor } }),
      run({ document: ConversationPageDocument, token: viewer.token, variables: { last: 2, before: cursor } }),
    ]).then((results) => results.map((r) => r.expectData()))

  it('conversations(after/before): another tenant, a DIRECT conversation of others, a random uuid', async () => {
    const random = await pages(conversationCursor(randomUUID()))
    expect(await pages(conversationCursor(uuidOf(foreignConversation)))).toEqual(random)
    expect(await pages(conversationCursor(uuidOf(othersDirect)))).toEqual(random)
    // A cursor of the viewer's own conversation pages as before.
    const [after] = await pages(conversationCursor(uuidOf(mine[0]!)))
    expect(after!.conversations.edges.map((e) => e.node.id)).toEqual(mine.slice(1, 3))
  })

  it('messages and Conversation.messages: a cursor of another conversation (any tenant) is like a random one', async () => {
    const own = mine[0]!
    const messagePages = (cursor: string) =>
      Promise.all([
        run({ document: MessagePageDocument, token: viewer.token, variables: { conversationId: own, first: 2, after: cursor } }),
        run({ document: MessagePageDocument, token: viewer.token, variables: { conversationId: own, last: 2, before: cursor } }),
        run({ document: MessagesDocument, token: viewer.token, variables: { conversationId: own, first: 2, after: cursor } }),
        run({ document: MessagesDocument, token: viewer.token, variables: { conversationId: own, last: 2, before: cursor } }),
      ]).then((results) => results.map((r) => r.expectData()))
    const random = await messagePages(messageCursor(randomUUID(), 1))
    expect(await messagePages(messageCursor(uuidOf(foreignConversation), 1))).toEqual(random)
    expect(await messagePages(messageCursor(uuidOf(othersDirect), 1))).toEqual(random)
    // The conversation's own cursors still page.
    const [after, , nested] = await messagePages(messageCursor(uuidOf(own), 1))
    expect(after).toMatchObject({ messages: { edges: [{ node: { seq: 2 } }, { node: { seq: 3 } }] } })
    expect(nested).toMatchObject({ conversation: { messages: { edges: [{ node: { seq: 2 } }, { node: { seq: 3 } }] } } })
  })
})

describe('a malformed cursor is BAD_USER_INPUT on every connection', () => {
  const uuid = randomUUID()
  const malformed: Array<[string, string]> = [
    ['an object chunk', b64('GPC:O:{"id":{"gt":""}}')],
    ['a tuple without the GPC prefix', b64(`T:["S:${uuid}","N:1"]`)],
    ['a tuple of the wrong width', b64(`GPC:T:["S:${uuid}"]`)],
    ['a tuple with an object', b64(`GPC:T:["S:${uuid}","O:{\\"gt\\":1}"]`)],
    ['a huge int', b64(`GPC:T:["S:${uuid}","N:99999999999999999999999"]`)],
    ['a huge number chunk', b64('GPC:N:1e400')],
    ['a fractional seq', b64(`GPC:T:["S:${uuid}","N:1.5"]`)],
    ['a string that is not a uuid', b64('GPC:S:not-a-uuid')],
    ['a bigint chunk', b64('GPC:I:123456789012345678901234567890')],
    ['garbage base64', '%%%not base64%%%'],
    ['base64 of binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]).toString('base64')],
    ['an empty string', ''],
    ['a very long cursor', b64(`GPC:S:${'a'.repeat(100_000)}`)],
  ]

  it.each(malformed)('%s', async (_name, cursor) => {
    const logsBefore = t.logs.length
    const own = mine[0]!
    const results = await Promise.all([
      run({ document: ConversationPageDocument, token: viewer.token, variables: { first: 2, after: cursor } }),
      run({ document: ConversationPageDocument, token: viewer.token, variables: { last: 2, before: cursor } }),
      run({ document: MessagePageDocument, token: viewer.token, variables: { conversationId: own, first: 2, after: cursor } }),
      run({ document: MessagePageDocument, token: viewer.token, variables: { conversationId: own, last: 2, before: cursor } }),
      run({ document: MessagesDocument, token: viewer.token, variables: { conversationId: own, first: 2, after: cursor } }),
      run({ document: MessagesDocument, token: viewer.token, variables: { conversationId: own, last: 2, before: cursor } }),
    ])
    for (const result of results) {
      const error = result.expectError('BAD_USER_INPUT')
      expect(error.message.length).toBeLessThanOrEqual(201)
    }
    const logged = t.logs.slice(logsBefore).map((line) => JSON.parse(line) as { level: number; errorCodes?: string[] })
    expect(logged.filter((l) => l.errorCodes?.includes('BAD_USER_INPUT')).length).toBe(results.length)
    expect(logged.every((l) => l.level <= 30)).toBe(true)
    expect(t.logs.slice(logsBefore).join('')).not.toMatch(/\n\s+at |stack/)
  })
})
