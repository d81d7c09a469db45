// Protocol conformance with raw frames: the graphql-ws close codes this server produces (4400, 4401,
// 4406, 4408, 4409, 4429; 4403 is not produced: a refused connection_init closes with 4401), and the
// stock graphql-sse client (distinct connections mode) against the SSE endpoint.
import { print } from 'graphql'
import { createClient as createSseClient } from 'graphql-sse'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld, type TestUser } from './kit/world.js'
import { ConversationEventsDocument, CreateConversationDocument, SendMessageDocument } from '../client/generated/graphql.js'

let t: TestApp
let user: TestUser
beforeAll(async () => {
  t = await startTestApp()
  user = await tenantWorld(t.graphqlUrl, 'conformance').user('proto')
})
afterAll(() => t?.stop())

/** Opens a raw socket, sends `frames` in order (after connection_ack when `waitForAck`), resolves with the close code. */
function closeCodeAfter(frames: unknown[], options: { protocol?: string | null; ackFirst?: boolean } = {}) {
  return new Promise<number>((resolve) => {
    const socket = options.protocol === null ? new WebSocket(t.wsUrl) : new WebSocket(t.wsUrl, options.protocol ?? 'graphql-transport-ws')
    const send = (frame: unknown) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
    socket.once('close', (code) => resolve(code))
    socket.once('error', () => {})
    socket.once('open', () => {
      if (!options.ackFirst) return frames.forEach(send)
      send({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } })
      socket.on('message', (data) => {
        if (JSON.parse(String(data)).type === 'connection_ack') frames.forEach(send)
      })
    })
  })
}

const init = () => ({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } })
const inbox = (id: string) => ({ id, type: 'subscribe', payload: { query: 'subscription { inboxEvents { reason } }' } })

describe('graphql-ws close codes (raw frames)', () => {
  it('4400: a message that is not a graphql-ws message', async () => {
    expect(await closeCodeAfter(['not json'], { ackFirst: true })).toBe(4400)
    expect(await closeCodeAfter([{ type: 'nonsense' }], { ackFirst: true })).toBe(4400)
  })

  it('4401: subscribe before connection_ack', async () => {
    expect(await closeCodeAfter([inbox('1')])).toBe(4401)
  })

  it('4401: connection_init with an invalid token', async () => {
    expect(await closeCodeAfter([{ type: 'connection_init', payload: { authorization: 'Bearer nope' } }])).toBe(4401)
  })

  it('4406: a socket without the graphql-transport-ws subprotocol', async () => {
    expect(await closeCodeAfter([init()], { protocol: null })).toBe(4406)
  })

  it('4408: no connection_init in time', async () => {
    expect(await closeCodeAfter([])).toBe(4408)
  })

  it('4409: a second subscribe with the id of a running one', async () => {
    expect(await closeCodeAfter([inbox('same'), inbox('same')], { ackFirst: true })).toBe(4409)
  })

  it('4429: a second connection_init', async () => {
    expect(await closeCodeAfter([init()], { ackFirst: true })).toBe(4429)
  })
})

describe('graphql-sse client (distinct connections mode)', () => {
  it('runs a query, and a subscription receives the backlog and live messages in seq order', async () => {
    const run = client(t.graphqlUrl)
    const w = tenantWorld(t.graphqlUrl, 'sse-client')
    const [owner] = await Promise.all([w.user('owner'), w.user('peer')])
    const conversationId = (
      await run({
        document: CreateConversationDocument,
        token: owner.token,
        variables: { input: { kind: 'GROUP', participantExternalIds: ['peer'] } },
      })
    ).expectData().createConversation.conversation.id
    const send = (body: string) =>
      run({
        document: SendMessageDocument,
        token: owner.token,
        variables: { input: { conversationId, body, clientMessageId: body } },
      }).then((r) => r.expectData())
    await send('before')
    const sse = createSseClient({ url: t.graphqlUrl, headers: { authorization: `Bearer ${owner.token}` }, retryAttempts: 0 })
    try {
      const viewer = await new Promise<unknown>((resolve, reject) =>
        sse.subscribe({ query: '{ viewer { user { externalId } } }' }, { next: resolve, error: reject, complete: () => {} }),
      )
      expect(viewer).toEqual({ data: { viewer: { user: { externalId: 'owner' } } } })

      const events = sse.iterate<{ conversationEvents: { seq: number; message?: { body: string } } }>({
        query: print(ConversationEventsDocument),
        variables: { conversationId, afterSeq: 0 },
      })
      const first = await events.next()
      expect(first.value?.data?.conversationEvents).toMatchObject({ seq: 1, message: { body: 'before' } })
      await send('after')
      const second = await events.next()
      expect(second.value?.data?.conversationEvents).toMatchObject({ seq: 2, message: { body: 'after' } })
      await events.return?.()
    } finally {
      sse.dispose()
    }
  })
})
