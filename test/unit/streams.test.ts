// The building blocks of live streams, without a server: how long a stream lives (token expiry, server
// shutdown) and the coalescing queue behind inboxEvents, conversationSignals and notificationAdded. The
// queue is driven by promises only, so "nothing more is waiting" is observable exactly: a next() still
// pending once the macrotask queue is reached has nothing to take.
import { setImmediate as macrotask } from 'node:timers/promises'
import { describe, expect, it, onTestFinished } from 'vitest'
import { coalescingStream, endWithLifetime } from '../../src/realtime/streams.js'
import { createMetrics } from '../../src/server/metrics.js'

type Payload = { conversationId: string; reason: 'ADDED' | 'UPDATED' }
const NOTHING: unique symbol = Symbol('nothing waiting')

function harness(accept: (p: Payload) => boolean | 'stop' | Promise<boolean | 'stop'> = async () => true, expiresAt?: number) {
  const metrics = createMetrics()
  const shutdown = new AbortController()
  let emit: ((p: Payload) => void) | undefined
  let listening = 0
  const stream = coalescingStream<Payload>({ expiresAt, shutdown: shutdown.signal }, metrics, 'inboxEvents', {
    listen: (push) => {
      listening++
      emit = push
      return () => {
        listening--
        emit = undefined
      }
    },
    accept,
    coalesceKey: (p) => p.conversationId,
  })
  onTestFinished(async () => {
    await stream.return?.()
  })
  // One outstanding next() at a time, so no read is lost to a race that timed out.
  let pending: Promise<IteratorResult<Payload>> | undefined
  const take = async (): Promise<Payload | typeof NOTHING | 'done'> => {
    pending ??= stream.next()
    const result = await Promise.race([pending, macrotask().then(() => NOTHING)])
    if (typeof result === 'symbol') return NOTHING
    pending = undefined
    return result.done ? 'done' : result.value
  }
  const active = async () => (await metrics.activeSubscriptions.get()).values.find((v) => v.labels.field === 'inboxEvents')?.value ?? 0
  return { stream, take, publish: (p: Payload) => emit!(p), shutdown, active, listening: () => listening }
}

describe('coalescingStream', () => {
  it('from its first read it listens and counts as live (the gauge tests wait on); when it ends it does neither', async () => {
    const h = harness()
    expect([h.listening(), await h.active()]).toEqual([0, 0]) // a Repeater starts on the first read
    expect(await h.take()).toBe(NOTHING)
    expect([h.listening(), await h.active()]).toEqual([1, 1])
    await h.stream.return?.()
    expect([h.listening(), await h.active()]).toEqual([0, 0])
  })

  it("a slow subscriber's waiting payloads collapse into the latest per key, in the order keys were last touched", async () => {
    const h = harness()
    expect(await h.take()).toBe(NOTHING)
    h.publish({ conversationId: 'c-0', reason: 'ADDED' })
    expect(await h.take()).toEqual({ conversationId: 'c-0', reason: 'ADDED' })
    // The client stops reading: one payload is being handed over, the rest wait and collapse.
    h.publish({ conversationId: 'c-1', reason: 'ADDED' })
    for (let i = 0; i < 100; i++) h.publish({ conversationId: i % 2 ? 'c-2' : 'c-3', reason: i === 99 ? 'ADDED' : 'UPDATED' })
    expect([await h.take(), await h.take(), await h.take(), await h.take()]).toEqual([
      { conversationId: 'c-1', reason: 'ADDED' },
      { conversationId: 'c-3', reason: 'UPDATED' },
      { conversationId: 'c-2', reason: 'ADDED' },
      NOTHING,
    ])
  })

  it('more distinct keys than the cap: the oldest are dropped, so memory stays bounded (500 waiting)', async () => {
    const h = harness()
    expect(await h.take()).toBe(NOTHING)
    for (let i = 0; i < 700; i++) h.publish({ conversationId: `d-${i}`, reason: 'UPDATED' })
    const received: string[] = []
    for (let next = await h.take(); next !== NOTHING; next = await h.take()) received.push((next as Payload).conversationId)
    // d-0 was already being handed over when the rest arrived (all in one tick); of those, the newest 500 stayed.
    expect(received).toEqual(['d-0', ...Array.from({ length: 500 }, (_, i) => `d-${200 + i}`)])
  })

  it('accept drops a payload (false) or ends the stream (stop)', async () => {
    const h = harness(async (p) => (p.conversationId === 'end' ? 'stop' : p.reason === 'ADDED'))
    expect(await h.take()).toBe(NOTHING)
    h.publish({ conversationId: 'a', reason: 'UPDATED' })
    expect(await h.take()).toBe(NOTHING)
    h.publish({ conversationId: 'b', reason: 'ADDED' })
    expect(await h.take()).toEqual({ conversationId: 'b', reason: 'ADDED' })
    h.publish({ conversationId: 'end', reason: 'ADDED' })
    expect(await h.take()).toBe('done')
    expect([h.listening(), await h.active()]).toEqual([0, 0])
  })

  it('a failing accept ends the stream with its error', async () => {
    const h = harness(async () => {
      throw new Error('database gone')
    })
    const first = h.stream.next()
    await macrotask()
    h.publish({ conversationId: 'a', reason: 'ADDED' })
    await expect(first).rejects.toThrow('database gone')
  })

  it('server shutdown ends the stream', async () => {
    const h = harness()
    expect(await h.take()).toBe(NOTHING)
    h.shutdown.abort()
    expect(await h.take()).toBe('done')
    expect(await h.active()).toBe(0)
  })

  it('a token that has expired ends the stream at once', async () => {
    const h = harness(undefined, Date.now() - 1000)
    const first = h.stream.next()
    expect(await first).toEqual({ done: true, value: undefined })
  })
})

describe('endWithLifetime', () => {
  it('calls end at shutdown, once; after disposal, neither shutdown nor expiry calls it', async () => {
    const shutdown = new AbortController()
    let ended = 0
    endWithLifetime({ expiresAt: undefined, shutdown: shutdown.signal }, () => ended++)
    shutdown.abort()
    shutdown.signal.dispatchEvent(new Event('abort'))
    expect(ended).toBe(1)

    const other = new AbortController()
    let disposedEnded = 0
    const dispose = endWithLifetime({ expiresAt: Date.now() + 1, shutdown: other.signal }, () => disposedEnded++)
    dispose()
    other.abort()
    await new Promise((r) => setTimeout(r, 20))
    expect(disposedEnded).toBe(0)
  })

  it('a token expiring in 30 days (beyond setTimeout’s range) does not end the stream now', async () => {
    const shutdown = new AbortController()
    let ended = 0
    const dispose = endWithLifetime({ expiresAt: Date.now() + 30 * 24 * 3600 * 1000, shutdown: shutdown.signal }, () => ended++)
    await new Promise((r) => setTimeout(r, 20))
    dispose()
    expect(ended).toBe(0)
  })
})
