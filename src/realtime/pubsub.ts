// The typed topic catalog and the node's one pub/sub connection. Redis (graphql-redis-subscriptions +
// ioredis) when REDIS_URL is set, in-process otherwise. Each channel is subscribed once per node and
// fanned out locally, so a new GraphQL subscription never waits on Redis. Payloads carry ids and
// positions only; subscribers re-read the truth from the database.
import { PubSub, type PubSubEngine } from 'graphql-subscriptions'
import { RedisPubSub } from 'graphql-redis-subscriptions'
import { Redis } from 'ioredis'
import type { Logger } from '../logger.js'

export interface Topics {
  /** A conversation's timeline advanced to `seq` (key: conversationId). */
  timeline: { conversationId: string; seq: number }
  /** Ephemeral signals of a conversation: typing and receipts (key: conversationId). */
  signal:
    | { kind: 'typing'; conversationId: string; userId: string; expiresAt: number }
    | { kind: 'receipt'; conversationId: string; userId: string; lastReadSeq: number; lastDeliveredSeq: number }
  /** Something in a user's conversation list changed (key: userId). */
  inbox: { conversationId: string; reason: 'ADDED' | 'UPDATED' | 'REMOVED' }
}
export type Topic = keyof Topics

type Listener<T> = (payload: T) => void

export class Broker {
  private readonly channels = new Map<string, { listeners: Set<Listener<any>>; subscription: Promise<number | undefined> }>()
  private readonly resyncListeners = new Set<() => void>()
  constructor(
    private readonly engine: PubSubEngine,
    private readonly log: Logger,
    private readonly onPublishFailure: () => void = () => {},
    private readonly closeEngine: () => Promise<void> = async () => {},
  ) {}

  /** Fire and forget: a publish never delays or fails the write that caused it. */
  publish<T extends Topic>(topic: T, key: string, payload: Topics[T]): void {
    this.engine.publish(channel(topic, key), payload).catch((e: unknown) => {
      this.onPublishFailure()
      this.log.warn({ err: String(e), topic }, 'publish failed; subscribers will catch up from the database')
    })
  }

  subscribe<T extends Topic>(topic: T, key: string, listener: Listener<Topics[T]>): () => void {
    const name = channel(topic, key)
    let entry = this.channels.get(name)
    if (!entry) {
      const listeners = new Set<Listener<any>>()
      const subscription = this.engine
        .subscribe(name, (payload: unknown) => {
          for (const l of [...listeners]) l(payload)
        }, {})
        .catch((e: unknown) => {
          this.log.warn({ err: String(e), topic }, 'subscribe failed')
          return undefined
        })
      entry = { listeners, subscription }
      this.channels.set(name, entry)
    }
    entry.listeners.add(listener)
    const current = entry
    return () => {
      if (!current.listeners.delete(listener) || current.listeners.size > 0) return
      this.channels.delete(name)
      void current.subscription.then((id) => id !== undefined && this.engine.unsubscribe(id))
    }
  }

  /** Called after the pub/sub connection comes back: listeners re-read what they may have missed. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener)
    return () => this.resyncListeners.delete(listener)
  }

  resync() {
    for (const l of [...this.resyncListeners]) l()
  }

  /** Local listeners plus channels held open: back to the baseline when every subscription is gone. */
  listenerCount() {
    let n = this.resyncListeners.size
    for (const { listeners } of this.channels.values()) n += listeners.size
    return n + this.channels.size
  }

  async close() {
    this.channels.clear()
    this.resyncListeners.clear()
    await this.closeEngine()
  }
}

function channel(topic: Topic, key: string) {
  return `switchboard:${topic}:${key}`
}

export interface PubSubHandle {
  broker: Broker
  /** Resolves when the pub/sub backend answers (Redis PING); always true in-process. */
  ping(): Promise<boolean>
}

export function createPubSub(redisUrl: string | undefined, log: Logger, onPublishFailure?: () => void): PubSubHandle {
  if (!redisUrl) return { broker: new Broker(new PubSub(), log, onPublishFailure), ping: async () => true }

  const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2000)
  // No offline queue on the publisher: during an outage a publish fails at once instead of waiting.
  const publisher = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, lazyConnect: false })
  const subscriber = new Redis(redisUrl, { retryStrategy, maxRetriesPerRequest: null })
  for (const [name, client] of [['publisher', publisher], ['subscriber', subscriber]] as const)
    client.on('error', (e: Error) => log.debug({ err: e.message, client: name }, 'redis error'))
  const engine = new RedisPubSub({ publisher, subscriber })
  const broker = new Broker(engine, log, onPublishFailure, async () => {
    publisher.disconnect()
    subscriber.disconnect()
  })
  let wasReady = false
  subscriber.on('ready', () => {
    if (wasReady) {
      log.info('redis subscriber reconnected; resyncing live streams')
      broker.resync()
    }
    wasReady = true
  })
  return {
    broker,
    ping: async () => {
      if (publisher.status !== 'ready' || subscriber.status !== 'ready') return false
      return Promise.race([
        publisher.ping().then((r) => r === 'PONG'),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
      ]).catch(() => false)
    },
  }
}
