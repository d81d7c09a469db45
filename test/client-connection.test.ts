// The SDK's connection against a real server when the network fails silently or the token runs out:
// a blackholed connection (nothing passes, nothing is closed: a phone switching networks, a NAT dropping
// its mapping) is noticed by the missing pong and replaced; a short-lived token is refreshed before it
// expires, so the server never has to close the socket with 4401. In both cases the timeline converges
// on the server's messages with no gap and no duplicate.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { createSwitchboardClient, type SwitchboardClient, type SwitchboardClientOptions } from '../client/src/client.js'
import { CLOSE_TIMED_OUT } from '../client/src/connection.js'
import type { Timeline } from '../client/src/timeline.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { startTcpProxy } from './kit/proxy.js'
import { waitUntil } from './kit/ready.js'
import { signToken } from './kit/tokens.js'
import { tenantWorld } from './kit/world.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

const fastRetry = { initialDelayMs: 50, maxDelayMs: 400 }

function sdk(
  getToken: SwitchboardClientOptions['getToken'],
  via: { graphqlUrl: string; wsUrl: string } = t,
  options: Partial<SwitchboardClientOptions> = {},
): SwitchboardClient {
  const c = createSwitchboardClient({
    url: via.graphqlUrl,
    wsUrl: via.wsUrl,
    getToken,
    WebSocket,
    retry: fastRetry,
    keepAliveMs: 2000,
    ...options,
  })
  onTestFinished(() => c.close())
  return c
}

const sent = (timeline: Timeline) =>
  timeline.getSnapshot().items.flatMap((i) => (i.status === 'sent' ? [{ seq: i.seq, body: i.message.body }] : []))

function follow(timeline: Timeline): void {
  onTestFinished(timeline.subscribe(() => {}))
}

/** Every close code the client reports, in order. */
function closeCodes(c: SwitchboardClient): number[] {
  const codes: number[] = []
  let last: number | null = c.connectionState.lastCloseCode
  onTestFinished(
    c.onConnectionChange((s) => {
      if (s.lastCloseCode !== last && s.lastCloseCode !== null) codes.push(s.lastCloseCode)
      last = s.lastCloseCode
    }),
  )
  return codes
}

describe('the SDK’s connection', () => {
  // Six bounded waits of up to 10 s each: on a loaded CI box the default 60 s is not enough.
  it(
    'a blackholed connection (no FIN, no RST) is detected by the missing pong, replaced once traffic passes again, and the timeline converges with no gap and no duplicate; a send made in the dark is stored once',
    { timeout: 150_000 },
    async () => {
      const w = tenantWorld(t.graphqlUrl)
      const [aliceUser, bobUser] = await Promise.all([w.user('alice'), w.user('bob')])
      const conversationId = await w.groupConversation(aliceUser, ['bob'])
      const proxy = await startTcpProxy(t.url)
      onTestFinished(() => proxy.close())
      const alice = sdk(() => aliceUser.token)
      const bob = sdk(() => bobUser.token, proxy, { keepAliveMs: 500, pongTimeoutMs: 1000, connectTimeoutMs: 1500, requestTimeoutMs: 1500 })
      const [aliceTimeline, bobTimeline] = [alice.timeline(conversationId), bob.timeline(conversationId)]
      follow(aliceTimeline)
      follow(bobTimeline)

      await alice.acknowledged(alice.send(conversationId, 'a1').clientMessageId)
      await waitUntil(() => sent(bobTimeline).length === 1 && bob.connectionState.status === 'connected', 'bob is live')

      proxy.blackhole()
      const dark = bob.send(conversationId, 'b1 sent in the dark')
      for (let i = 2; i <= 6; i++) await alice.acknowledged(alice.send(conversationId, `a${i}`).clientMessageId)
      // Nothing closes the socket: only the missing pong can take bob out of 'connected'.
      await waitUntil(() => bob.connectionState.status !== 'connected', 'bob notices the silent connection', 10_000)
      expect(bob.connectionState.lastCloseCode).toBe(CLOSE_TIMED_OUT)
      // The server still pushed into the dead connection: what it sent was lost, not merely late.
      expect(proxy.dropped).toBeGreaterThan(0)
      // A reconnect attempted while the network is still silent never completes its handshake: it is given up
      // on (connectTimeoutMs) and tried again, rather than left hanging.
      // (retries counts the attempts since the last successful connection: the lost one, then each given up.)
      await waitUntil(() => bob.connectionState.retries >= 3, 'bob keeps trying through the blackhole', 10_000)
      expect(bob.connectionState.status).not.toBe('connected')
      expect(sent(bobTimeline).map((m) => m.body)).toEqual(['a1'])
      // Bob's send over HTTP got no answer either: it timed out (requestTimeoutMs) and waits to be retried.
      await waitUntil(() => bob.outbox.list()[0]?.error?.code === 'NETWORK', 'bob’s send timed out', 10_000)
      expect(bob.outbox.list()).toMatchObject([{ clientMessageId: dark.clientMessageId }])

      proxy.restore()
      await waitUntil(() => bob.connectionState.status === 'connected', 'bob reconnects once traffic passes', 10_000)
      await bob.acknowledged(dark.clientMessageId)
      await alice.acknowledged(alice.send(conversationId, 'a7').clientMessageId)
      await waitUntil(() => sent(bobTimeline).length === 8 && bob.outbox.list().length === 0, 'bob converges', 10_000)
      await waitUntil(() => sent(aliceTimeline).length === 8, 'alice has bob’s message', 10_000)
      const truth = await w.messages(aliceUser, conversationId)
      expect(truth.map((m) => m.body)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1 sent in the dark', 'a7'])
      expect(sent(bobTimeline)).toEqual(truth)
      expect(sent(aliceTimeline)).toEqual(truth)
      // Its own last send is shown once the HTTP answer arrives; the stream's event for it may come a moment
      // later, and the position follows the stream.
      await waitUntil(() => bobTimeline.getSnapshot().position === truth.at(-1)!.seq, 'bob’s stream applied the last event')
      expect(bobTimeline.getSnapshot().position).toBe(truth.at(-1)!.seq)
    },
  )

  it('a short-lived token is refreshed before each expiry: the socket is replaced with the new token, never closed with 4401, and the timeline keeps receiving', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [aliceUser] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = await w.groupConversation(aliceUser, ['bob'])
    const lifetime = 8 // seconds: the client asks 10% of it (0.8 s) before exp
    /** Every token handed out, its expiry, and when getToken was asked for a forced refresh. */
    const issued: Array<{ token: string; expiresAt: number }> = []
    const issue = async () => {
      const token = await signToken({ tid: w.tid, sub: 'bob', role: 'member', expiresIn: lifetime })
      issued.push({
        token,
        expiresAt: (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000,
      })
    }
    await issue()
    const forcedAt: number[] = []
    const bob = sdk(async ({ forceRefresh }) => {
      if (forceRefresh) {
        forcedAt.push(Date.now())
        await issue()
      }
      return issued.at(-1)!.token
    })
    const codes = closeCodes(bob)
    const alice = sdk(() => aliceUser.token)
    const timeline = bob.timeline(conversationId)
    follow(timeline)
    await waitUntil(() => bob.connectionState.status === 'connected', 'bob is connected')

    // Across three expiries of bob's tokens, alice keeps sending; bob keeps receiving.
    let n = 0
    while (issued.length < 4) {
      if (n >= 60) throw new Error(`no third refresh after ${n} messages`)
      await alice.acknowledged(alice.send(conversationId, `m${++n}`).clientMessageId)
      await waitUntil(() => sent(timeline).length === n, `bob receives m${n}`, 10_000)
      // Time is what this test is about (8-second tokens expiring): messages are spread across it.
      await new Promise((r) => setTimeout(r, 500))
    }
    await waitUntil(() => bob.connectionState.status === 'connected', 'bob is connected with the latest token', 10_000)
    await alice.acknowledged(alice.send(conversationId, `m${++n}`).clientMessageId)
    await waitUntil(() => sent(timeline).length === n, 'bob receives the last message', 10_000)

    expect(codes).not.toContain(4401)
    // Each refresh was asked before the token it replaced expired.
    expect(forcedAt.length).toBeGreaterThanOrEqual(3)
    for (let i = 0; i < 3; i++) expect(forcedAt[i]!).toBeLessThan(issued[i]!.expiresAt)
    const truth = await w.messages(aliceUser, conversationId)
    expect(truth).toHaveLength(n)
    expect(sent(timeline)).toEqual(truth)
  }, 60_000)
})
