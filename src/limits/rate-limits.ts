// Rate limits (rate-limiter-flexible): fixed windows of RATE_LIMIT_WINDOW_SECONDS, kept in Redis when
// REDIS_URL is set (so a limit holds across nodes) and in memory otherwise. Over a limit the caller gets
// RATE_LIMITED with extensions.retryAfter (seconds); over HTTP that is a 429 with Retry-After.
// If Redis does not answer, each node falls back to its own in-memory counters (insuranceLimiter): a
// Redis outage never blocks a send.
import { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import type { Config } from '../env.js'
import { AppError } from '../errors.js'

export type LimitName = 'sendsPerUser' | 'sendsPerTenant' | 'operationsPerUser' | 'authFailuresPerIp'

export interface RateLimits {
  /** Counts one event for `key`; RATE_LIMITED when that goes over the limit. */
  consume(name: LimitName, key: string): Promise<void>
  /**
   * RATE_LIMITED when `key` went over the limit on this node and its window has not ended; counts
   * nothing and asks no store (it runs on every authenticated request).
   */
  check(name: LimitName, key: string): Promise<void>
  close(): Promise<void>
}

export const rateLimited = (retryAfterSeconds: number, what: string) =>
  new AppError('RATE_LIMITED', `Too many ${what}: retry after ${retryAfterSeconds} s`, {
    retryAfter: retryAfterSeconds,
    http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
  })

const WHAT: Record<LimitName, string> = {
  sendsPerUser: 'messages sent',
  sendsPerTenant: 'messages sent in this tenant',
  operationsPerUser: 'operations',
  authFailuresPerIp: 'failed authentications',
}

export function createRateLimits(config: Config): RateLimits {
  const limits = config.rateLimits
  if (!limits.enabled) return { consume: async () => {}, check: async () => {}, close: async () => {} }
  // Its own connection, without an offline queue: while Redis is down a call fails at once and the
  // in-memory insurance limiter answers.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined
  redis?.on('error', () => {}) // reconnects by itself; the insurance limiter covers the gap
  const limiters = {} as Record<LimitName, RateLimiterAbstract>
  for (const name of Object.keys(WHAT) as LimitName[]) {
    const options = { keyPrefix: `switchboard:rl:${name}`, points: limits[name], duration: limits.windowSeconds }
    limiters[name] = redis
      ? new RateLimiterRedis({
          ...options,
          storeClient: redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(options),
        })
      : new RateLimiterMemory(options)
  }
  const refuse = (name: LimitName, msBeforeNext: number) => rateLimited(Math.max(1, Math.ceil(msBeforeNext / 1000)), WHAT[name])
  // Keys this node saw go over a limit, until their window ends.
  const blocked = new Map<string, number>()
  const block = (id: string, until: number) => {
    if (blocked.size >= 10_000) for (const [k, end] of blocked) if (end <= Date.now()) blocked.delete(k)
    if (blocked.size < 10_000) blocked.set(id, until)
  }
  return {
    async consume(name, key) {
      try {
        const res = await limiters[name].consume(key)
        if (res.remainingPoints === 0) block(`${name}:${key}`, Date.now() + res.msBeforeNext)
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e
        block(`${name}:${key}`, Date.now() + e.msBeforeNext)
        throw refuse(name, e.msBeforeNext)
      }
    },
    async check(name, key) {
      const until = blocked.get(`${name}:${key}`)
      if (until === undefined) return
      if (until <= Date.now()) blocked.delete(`${name}:${key}`)
      else throw refuse(name, until - Date.now())
    },
    async close() {
      redis?.disconnect()
    },
  }
}
