// Caps on long-lived streams: operations per graphql-ws socket (default 100), sockets per user, SSE
// streams per user. Over the cap the new stream is refused with a clear RATE_LIMITED error (a socket:
// closed with 4429), and a released slot can be used again.
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { sseSubscribe } from './kit/sse.js'
import { subscribe, wsClient } from './kit/subscribe.js'
import { seedTenant } from './kit/tokens.js'
import { InboxEventsDocument } from '../client/generated/graphql.js'

/** A raw graphql-ws socket that has been acknowledged (or closed, with its code). */
function rawSocket(wsUrl: string, token: string) {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws')
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
  const acked = new Promise<boolean>((resolve) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })))
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve(true)
    })
    void closed.then(() => resolve(false))
  })
  return { socket, acked, closed }
}

/** Waits until `check` holds (a state of the server), re-checking as it changes. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setImmediate(r))
  }
}

describe('operations per graphql-ws socket (default cap: 100)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ defaultLimits: true })
  })
  afterAll(() => t?.stop())

  it('the 101st subscription on one socket is refused with RATE_LIMITED; the others stay live, and a freed slot is reusable', async () => {
    const token = await seedTenant().token('many', 'member')
    const c = wsClient(t.wsUrl, token)
    try {
      const subs = Array.from({ length: 100 }, () => subscribe(t.wsUrl, { document: InboxEventsDocument, client: c }))
      const over = subscribe(t.wsUrl, { document: InboxEventsDocument, client: c })
      expect(await over.done).toBe('error')
      expect(over.errors[0]?.extensions?.code).toBe('RATE_LIMITED')
      expect(over.errors[0]?.message).toMatch(/Too many operations on this socket \(at most 100\)/)
      // The first 100 were not disturbed.
      expect(subs.flatMap((s) => s.errors)).toEqual([])
      // Completing one frees its slot for the next subscription on the same socket.
      await subs[0]!.close()
      const next = subscribe(t.wsUrl, { document: InboxEventsDocument, client: c })
      const another = subscribe(t.wsUrl, { document: InboxEventsDocument, client: c })
      expect(await another.done).toBe('error')
      expect(next.errors).toEqual([])
      await Promise.all([...subs.slice(1), next].map((s) => s.close()))
    } finally {
      await c.dispose()
    }
  })
})

describe('configured caps', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ env: { MAX_SOCKETS_PER_USER: '3', MAX_SSE_STREAMS_PER_USER: '2' } })
  })
  afterAll(() => t?.stop())

  it('sockets per user: the socket over MAX_SOCKETS_PER_USER is closed with 4429; closing one lets a new one in', async () => {
    const tenant = seedTenant()
    const [token, otherUser] = await Promise.all([tenant.token('sock', 'member'), tenant.token('other', 'member')])
    const sockets = Array.from({ length: 3 }, () => rawSocket(t.wsUrl, token))
    expect(await Promise.all(sockets.map((s) => s.acked))).toEqual([true, true, true])
    const fourth = rawSocket(t.wsUrl, token)
    expect(await fourth.closed).toBe(4429)
    // Another user is not affected.
    const other = rawSocket(t.wsUrl, otherUser)
    expect(await other.acked).toBe(true)
    const open = async () => (await t.app.services.metrics.websocketConnections.get()).values[0]?.value ?? 0
    const before = await open()
    sockets[0]!.socket.close()
    await sockets[0]!.closed
    await until(async () => (await open()) === before - 1, 'the server to see the socket closed')
    const again = rawSocket(t.wsUrl, token)
    expect(await again.acked).toBe(true)
    for (const s of [...sockets.slice(1), other, again]) s.socket.close()
  })

  it('SSE streams per user: the stream over MAX_SSE_STREAMS_PER_USER gets RATE_LIMITED; ending one frees its slot', async () => {
    const token = await seedTenant().token('sse', 'member')
    const streams = [
      await sseSubscribe(t.graphqlUrl, { document: InboxEventsDocument, token }),
      await sseSubscribe(t.graphqlUrl, { document: InboxEventsDocument, token }),
    ]
    const third = await sseSubscribe(t.graphqlUrl, { document: InboxEventsDocument, token })
    await third.done
    expect(third.status).toBe(429)
    expect(third.messages[0]?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED')
    expect(third.messages[0]?.errors?.[0]?.message).toMatch(/Too many open event streams/)
    streams[0]!.close()
    // The server notices the disconnect on its own time: wait for the freed slot to be usable.
    let replacement: Awaited<ReturnType<typeof sseSubscribe>> | undefined
    await until(async () => {
      replacement = await sseSubscribe(t.graphqlUrl, { document: InboxEventsDocument, token })
      return replacement.status === 200
    }, 'the closed SSE stream to be released')
    replacement?.close()
    streams[1]!.close()
  })
})
