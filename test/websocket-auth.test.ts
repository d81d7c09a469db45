import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { subscribe, wsClient } from './kit/subscribe.js'
import { seedTenant, signToken } from './kit/tokens.js'
import { ViewerDocument } from '../client/generated/graphql.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

describe('graphql-ws authentication', () => {
  it('a socket with a valid token is acknowledged and runs operations as the viewer', async () => {
    const tenant = seedTenant()
    const token = await tenant.token('ws-user', 'member')
    const sub = subscribe(t.wsUrl, { document: ViewerDocument, token })
    const [result] = await sub.waitFor(1)
    expect(result!.viewer.user.externalId).toBe('ws-user')
    expect(result!.viewer.tenant.externalId).toBe(tenant.tid)
    await sub.close()
  })

  it.each([
    ['Authorization', (token: string) => ({ Authorization: `Bearer ${token}` })],
    ['headers.Authorization (GraphiQL-style)', (token: string) => ({ headers: { Authorization: `Bearer ${token}` } })],
  ])('the token is also read from connectionParams.%s', async (_name, params) => {
    const token = await seedTenant().token('ws-alt', 'member')
    const c = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: params(token) })
    try {
      const result = await new Promise<unknown>((resolve, reject) => {
        c.subscribe({ query: '{ viewer { user { externalId } } }' }, { next: resolve, error: reject, complete: () => {} })
      })
      expect(result).toEqual({ data: { viewer: { user: { externalId: 'ws-alt' } } } })
    } finally {
      await c.dispose()
    }
  })

  const refused: Array<[string, () => Promise<string | undefined>]> = [
    ['no token', async () => undefined],
    ['a garbage token', async () => 'garbage'],
    ['an expired token', () => signToken({ tid: 'ws-t', sub: 'u', role: 'member', expiresIn: -5 })],
    ['an unknown role', () => signToken({ tid: 'ws-t', sub: 'u', role: 'root' })],
  ]
  it.each(refused)('a socket with %s is closed at connection_init, never acknowledged', async (_name, token) => {
    const c = wsClient(t.wsUrl, await token())
    let acknowledged = false
    c.on('connected', () => (acknowledged = true))
    const close = await c.closeEvent
    expect(close.code).toBe(4401)
    expect(acknowledged).toBe(false)
    await c.dispose()
  })

  it('a WebSocket message over MAX_REQUEST_BYTES closes the socket (1009)', async () => {
    const token = await seedTenant().token('big', 'member')
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws')
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }))
    await new Promise((resolve) => socket.once('message', resolve))
    socket.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: '{ viewer { user { id } } }', variables: { pad: 'x'.repeat(1_100_000) } },
      }),
    )
    expect(await closed).toBe(1009)
  })

  it('a socket is closed when its token expires', async () => {
    const token = await signToken({ tid: seedTenant().tid, sub: 'short', role: 'member', expiresIn: 2 })
    const c = wsClient(t.wsUrl, token)
    const close = await c.closeEvent
    expect(close.code).toBe(4401)
    expect(close.reason).toMatch(/expired/i)
    await c.dispose()
  })
})
