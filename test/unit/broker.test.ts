// The broker's own rules, without Redis: a publish reaches this node's listeners of that topic and key
// only, at once, all with the same payload object; listeners come and go without leaks; and with a shared
// engine between nodes, a node hears the others' publishes and not its own a second time. The shared
// engine is graphql-subscriptions' in-memory PubSub, the same engine interface RedisPubSub implements.
import { PubSub } from 'graphql-subscriptions'
import type { RedisPubSub } from 'graphql-redis-subscriptions'
import { describe, expect, it } from 'vitest'
import { Broker, type Topics } from '../../src/realtime/pubsub.js'

// Warnings the broker would log (none is expected in these tests).
const warnings: string[] = []
const log = (key: string) => void warnings.push(key)
const timeline = (seq: number): Topics['timeline'] => ({ conversationId: 'c1', seq })

describe('one node (in-process)', () => {
  it('a publish reaches the listeners of its topic and key only, synchronously, with one shared payload object', () => {
    const broker = new Broker(undefined, log)
    const got: Array<[string, unknown]> = []
    broker.subscribe('timeline', 'c1', (p) => got.push(['a', p]))
    broker.subscribe('timeline', 'c1', (p) => got.push(['b', p]))
    broker.subscribe('timeline', 'c2', (p) => got.push(['other key', p]))
    broker.subscribe('signal', 'c1', (p) => got.push(['other topic', p]))
    const payload = timeline(1)
    broker.publish('timeline', 'c1', payload)
    expect(got.map(([who]) => who)).toEqual(['a', 'b'])
    expect(got[0]![1]).toBe(payload)
    expect(got[1]![1]).toBe(payload)
  })

  it('unsubscribing (even from inside a delivery) stops that listener only; the count returns to its baseline', async () => {
    const broker = new Broker(undefined, log)
    const baseline = broker.listenerCount()
    const got: string[] = []
    const first = broker.subscribe('timeline', 'c1', () => {
      got.push('first')
      first()
    })
    const second = broker.subscribe('timeline', 'c1', () => got.push('second'))
    await Promise.all([first.ready, second.ready])
    expect(broker.listenerCount()).toBe(baseline + 3) // two listeners and their channel
    broker.publish('timeline', 'c1', timeline(1))
    broker.publish('timeline', 'c1', timeline(2))
    expect(got).toEqual(['first', 'second', 'second'])
    second()
    second() // idempotent
    await Promise.resolve()
    expect(broker.listenerCount()).toBe(baseline)
  })

  it('resync listeners are called on resync and counted until removed', () => {
    const broker = new Broker(undefined, log)
    let resyncs = 0
    const off = broker.onResync(() => resyncs++)
    expect(broker.listenerCount()).toBe(1)
    broker.resync()
    off()
    broker.resync()
    expect([resyncs, broker.listenerCount()]).toEqual([1, 0])
  })
})

describe('nodes sharing an engine', () => {
  const twoNodes = () => {
    const engine = new PubSub() as unknown as RedisPubSub
    return [new Broker(engine, log), new Broker(engine, log)] as const
  }

  it("a node hears another node's publish once, and its own publish once (not again from the engine)", async () => {
    const [a, b] = twoNodes()
    const onA: number[] = []
    const onB: number[] = []
    const subA = a.subscribe('timeline', 'c1', (p) => onA.push(p.seq))
    const subB = b.subscribe('timeline', 'c1', (p) => onB.push(p.seq))
    await Promise.all([subA.ready, subB.ready])
    a.publish('timeline', 'c1', timeline(1))
    b.publish('timeline', 'c1', timeline(2))
    b.publish('timeline', 'c2', timeline(3))
    expect([onA, onB]).toEqual([
      [1, 2],
      [1, 2],
    ])
  })

  it('a channel is subscribed on the engine once per node, and released when its last listener goes', async () => {
    const engine = new PubSub()
    const broker = new Broker(engine as unknown as RedisPubSub, log)
    const engineListeners = () =>
      (engine as unknown as { ee: { listenerCount(name: string): number } }).ee.listenerCount('switchboard:timeline:c1')
    const subs = Array.from({ length: 5 }, () => broker.subscribe('timeline', 'c1', () => {}))
    await Promise.all(subs.map((s) => s.ready))
    expect(engineListeners()).toBe(1)
    subs.forEach((unsubscribe) => unsubscribe())
    await new Promise((r) => setImmediate(r))
    expect([engineListeners(), broker.listenerCount()]).toEqual([0, 0])
  })
})
