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
  /** RATE_LIMITED when `key` is already over the limit; counts nothing. */
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
  const redis = config.redisUrl ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined
  redis?.on('error', () => {}) // reconnects by itself; the insurance limiter covers the gap
  const limiters = {} as Record<LimitName, RateLimiterAbstract>
  for (const name of Object.keys(WHAT) as LimitName[]) {
    const options = { keyPrefix: `switchboard:rl:${name}`, points: limits[name], duration: limits.windowSeconds }
    limiters[name] = redis ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) }) : new RateLimiterMemory(options)
  }
  const refuse = (name: LimitName, res: RateLimiterRes) => rateLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)), WHAT[name])
  return {
    async consume(name, key) {
      try {
        await limiters[name].consume(key)
      } catch (e) {
        if (e instanceof RateLimiterRes) throw refuse(name, e)
        throw e
      }
    },
    async check(name, key) {
      const res = await limiters[name].get(key)
      if (res && res.consumedPoints >= limits[name]) throw refuse(name, res)
    },
    async close() {
      redis?.disconnect()
    },
  }
}
