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
  /** A notification was created for a user (key: the recipient's userId). */
  notification: { notificationId: string }
}
export type Topic = keyof Topics

type Listener<T> = (payload: T) => void
type ChannelEntry = { listeners: Set<Listener<any>>; subscription: Promise<number | undefined> }
export type Subscription = (() => void) & { ready: Promise<void> }

export class Broker {
  private readonly channels = new Map<string, ChannelEntry>()
  private closed = false
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

  /**
   * Adds a local listener; the channel is subscribed once per node. The returned function removes it;
   * its `ready` resolves once the backend confirmed the subscription (Redis SUBSCRIBE acknowledged),
   * so a reader can listen first and read the database second without a window in between.
   */
  subscribe<T extends Topic>(topic: T, key: string, listener: Listener<Topics[T]>): Subscription {
    const name = channel(topic, key)
    let entry = this.channels.get(name)
    if (!entry) {
      const listeners = new Set<Listener<any>>()
      const created: ChannelEntry = {
        listeners,
        subscription: this.engine
          .subscribe(name, (payload: unknown) => {
            for (const l of [...listeners]) l(payload)
          }, {})
          .catch((e: unknown) => {
            // Forget the channel so the next subscriber tries again; current listeners still get resyncs.
            this.log.warn({ err: String(e), topic }, 'subscribe failed')
            if (this.channels.get(name) === created) this.channels.delete(name)
            return undefined
          }),
      }
      entry = created
      this.channels.set(name, entry)
    }
    entry.listeners.add(listener)
    const current = entry
    const unsubscribe = () => {
      if (!current.listeners.delete(listener) || current.listeners.size > 0) return
      if (this.channels.get(name) === current) this.channels.delete(name)
      void current.subscription.then((id) => {
        if (id !== undefined && !this.closed) Promise.resolve(this.engine.unsubscribe(id)).catch(() => {})
      })
    }
    return Object.assign(unsubscribe, { ready: current.subscription.then(() => undefined) })
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
    this.closed = true
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
    await Promise.all([publisher.quit().catch(() => publisher.disconnect()), subscriber.quit().catch(() => subscriber.disconnect())])
  })
  let wasReady = false
  subscriber.on('ready', () => {
    if (wasReady) {
      // ioredis re-sends the SUBSCRIBEs on reconnect; read again now and once more after they are
      // surely acknowledged, so nothing committed in between is left unannounced.
      log.info('redis subscriber reconnected; resyncing live streams')
      broker.resync()
      setTimeout(() => broker.resync(), 1000).unref()
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
