// startTestApp(): a real server (buildApp, real HTTP, real graphql-ws) on a free port, against the
// run's PostgreSQL and, when asked for, its Redis.
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { inject } from 'vitest'
import { buildApp, type App } from '../../src/app.js'
import { loadConfig } from '../../src/env.js'

export const TEST_JWT_SECRET = 'switchboard-test-secret-0123456789'

export interface TestApp {
  app: App
  url: string
  graphqlUrl: string
  wsUrl: string
  /** Every log line the app wrote, as text. */
  logs: string[]
  stop(): Promise<void>
}

export interface TestAppOptions {
  /** Use the run's Redis (true), a given REDIS_URL (string), or in-process pub/sub (false, the default). */
  redis?: boolean | string
  env?: Record<string, string>
  /** Run with the production default limits (rate limits and stream caps) instead of the suite's generous ones. */
  defaultLimits?: boolean
}

/**
 * The suite sends far faster than a person: its servers get limits no test meets, unless a test asks for
 * the defaults (test/rate-limits.test.ts does) or sets its own through `env`.
 */
export const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_SENDS_PER_USER: '1000000',
  RATE_LIMIT_SENDS_PER_TENANT: '1000000',
  RATE_LIMIT_OPERATIONS_PER_USER: '1000000',
  RATE_LIMIT_AUTH_FAILURES_PER_IP: '1000000',
  MAX_SUBSCRIPTIONS_PER_SOCKET: '100000',
  MAX_SOCKETS_PER_USER: '100000',
  MAX_SSE_STREAMS_PER_USER: '100000',
}

/** A fresh outbox namespace (task-name prefix) for a test server. */
export function outboxNamespace() {
  return `t${randomUUID().replace(/-/g, '').slice(0, 12)}`
}

export function redisUrl(): string | null {
  return inject('redisUrl')
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const redis = options.redis === true ? redisUrl() : options.redis || undefined
  if (options.redis === true && !redis)
    throw new Error('startTestApp({ redis: true }) needs Redis: guard the test with describe.runIf(redisUrl())')
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_SIZE: '8',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...(redis && { REDIS_URL: redis }),
    ...(!options.defaultLimits && GENEROUS_LIMITS),
    // Each test app gets its own outbox namespace, so a worker of another test, with another
    // configuration, never takes its jobs. Apps that share an outbox pass the same OUTBOX_NAMESPACE.
    OUTBOX_NAMESPACE: outboxNamespace(),
    ...options.env,
  })
  const logs: string[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk))
      done()
    },
  })
  const log = pino({ level: config.logLevel, base: { service: 'switchboard' } }, sink)
  const app = await buildApp(config, { log, migrate: false })
  const url = await app.start(0, '127.0.0.1')
  return {
    app,
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    logs,
    stop: () => app.stop(),
  }
}
