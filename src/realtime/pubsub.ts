// The typed topic catalog and the node's pub/sub. A publish reaches this node's own listeners at once
// (Redis or not), and other nodes through Redis (graphql-redis-subscriptions + ioredis) when REDIS_URL
// is set; a node ignores its own messages coming back from Redis. Each channel is subscribed once per
// node and fanned out locally, so a new GraphQL subscription never waits on Redis. All local listeners
// of one message receive the same payload object: the fan-out layer executes a subscription's selection
// once per payload and group of identical subscribers (src/realtime/fanout.ts). Payloads carry ids and
// positions only; the truth is read from the database.
import { randomUUID } from 'node:crypto'
import { RedisPubSub } from 'graphql-redis-subscriptions'
import { Redis } from 'ioredis'
import type { Logger, Warn } from '../logger.js'

export type InboxReason = 'ADDED' | 'UPDATED' | 'REMOVED'

export interface Topics {
  /** A conversation's timeline advanced to `seq` (key: conversationId). */
  timeline: { conversationId: string; seq: number }
  /** Ephemeral signals of a conversation: typing and receipts (key: conversationId). */
  signal:
    | { kind: 'typing'; conversationId: string; userId: string; expiresAt: number; internal: boolean }
    | { kind: 'viewing'; conversationId: string; userId: string; expiresAt: number }
    | { kind: 'receipt'; conversationId: string; userId: string; lastReadSeq: number; lastDeliveredSeq: number }
  /**
   * A conversation changed in the lists of those who see it (key: tenantId). Every node routes it to its
   * own inbox subscribers with the visibility rule: `reasons` names users for whom it was ADDED or
   * REMOVED; everyone else who sees it gets `defaultReason` (null: only the named users hear of it).
   */
  inbox: { conversationId: string; reasons: Record<string, InboxReason>; defaultReason: InboxReason | null; staffOnly?: boolean }
  /** Who takes part in a conversation, or who is in a group, changed (key: "all"; every node listens). */
  membership: { conversationId?: string; groupId?: string }
  /** A notification was created for a user (key: the recipient's userId). */
  notification: { notificationId: string }
}
export type Topic = keyof Topics

type Listener<T> = (payload: T) => void
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one channel map holds every topic's payload type
type ChannelEntry = { listeners: Set<Listener<any>>; subscription: Promise<number | undefined> }
export type Subscription = (() => void) & { ready: Promise<void> }
type Envelope = { o: string; p: unknown }

export class Broker {
  private readonly channels = new Map<string, ChannelEntry>()
  private closed = false
  private readonly resyncListeners = new Set<() => void>()
  /** This node, to recognise its own messages coming back from Redis. */
  readonly nodeId = randomUUID()

  constructor(
    private readonly engine: RedisPubSub | undefined,
    private readonly warn: Warn,
    private readonly onPublishFailure: () => void = () => {},
    private readonly closeEngine: () => Promise<void> = async () => {},
  ) {}

  /** Local listeners at once; other nodes through Redis, fire and forget (never delays or fails the caller). */
  publish<T extends Topic>(topic: T, key: string, payload: Topics[T]): void {
    const name = channel(topic, key)
    this.deliver(name, payload)
    if (!this.engine) return
    this.engine.publish(name, { o: this.nodeId, p: payload } satisfies Envelope).catch((e: unknown) => {
      this.onPublishFailure()
      this.warn('redis.publish', { err: String(e), topic }, 'publish failed; other nodes will catch up from the database')
    })
  }

  private deliver(name: string, payload: unknown) {
    const entry = this.channels.get(name)
    if (entry) for (const l of [...entry.listeners]) l(payload)
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
      const created: ChannelEntry = { listeners: new Set(), subscription: Promise.resolve(undefined) }
      if (this.engine)
        created.subscription = this.engine
          .subscribe(
            name,
            (message: Envelope) => {
              if (message?.o !== this.nodeId) this.deliver(name, message?.p)
            },
            {},
          )
          .catch((e: unknown) => {
            // Forget the channel so the next subscriber tries again; current listeners still get resyncs.
            this.warn('redis.subscribe', { err: String(e), topic }, 'subscribe failed')
            if (this.channels.get(name) === created) this.channels.delete(name)
            return undefined
          })
      entry = created
      this.channels.set(name, entry)
    }
    entry.listeners.add(listener)
    const current = entry
    const unsubscribe = () => {
      if (!current.listeners.delete(listener) || current.listeners.size > 0) return
      // Unsubscribe from the backend once the subscription is confirmed, unless a listener came back
      // meanwhile (it reuses this entry): one backend subscription per channel at a time.
      void current.subscription.then((id) => {
        if (current.listeners.size > 0 || this.channels.get(name) !== current) return
        this.channels.delete(name)
        if (id !== undefined && !this.closed) {
          try {
            void Promise.resolve(this.engine!.unsubscribe(id)).catch(() => {})
          } catch {
            // already gone
          }
        }
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

export function createPubSub(
  redisUrl: string | undefined,
  log: Logger,
  options: { onPublishFailure?: () => void; warn?: Warn } = {},
): PubSubHandle {
  const { onPublishFailure } = options
  const warn: Warn = options.warn ?? ((_key, fields, message) => log.warn(fields, message))
  if (!redisUrl) return { broker: new Broker(undefined, warn, onPublishFailure), ping: async () => true }

  const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2000)
  // No offline queue on the publisher: during an outage a publish fails at once instead of waiting.
  const publisher = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, lazyConnect: false })
  const subscriber = new Redis(redisUrl, { retryStrategy, maxRetriesPerRequest: null })
  for (const [name, client] of [
    ['publisher', publisher],
    ['subscriber', subscriber],
  ] as const)
    client.on('error', (e: Error) => warn(`redis.${name}`, { err: e.message, client: name }, 'redis connection error'))
  // graphql-redis-subscriptions drops the promises of UNSUBSCRIBE: one cut short by a closing connection
  // (shutdown, an outage) would be an unhandled rejection. Channels are re-read from the database anyway.
  const quietSubscriber = new Proxy(subscriber, {
    get(target, prop) {
      if (prop === 'unsubscribe' || prop === 'punsubscribe')
        return (...channels: string[]) => (target[prop] as (...c: string[]) => Promise<unknown>)(...channels).catch(() => undefined)
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const engine = new RedisPubSub({ publisher, subscriber: quietSubscriber })
  const broker = new Broker(engine, warn, onPublishFailure, async () => {
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
