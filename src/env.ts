// Configuration, parsed once from the environment. Everything the server reads from process.env is here.
import { createPublicKey } from 'node:crypto'
import { z } from 'zod'
import { developmentSecret } from './auth/dev-secret.js'

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
const bool = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'))
/** An integer setting that is off when unset or blank. */
const optionalInt = (min: number, max: number) => optional.pipe(z.coerce.number<string | undefined>().int().min(min).max(max).optional())
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def)

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(4000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optional.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
  ),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATA_DIR: z.string().default('./.data'),
  REDIS_URL: optional.pipe(
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
  ),
  JWT_SECRET: optional,
  JWT_PUBLIC_KEY: optional.refine(
    (pem) => pem === undefined || isVerificationKey(pem),
    'must be a PEM public key (RSA for RS256, EC P-256 for ES256)',
  ),
  JWT_ISSUER: optional,
  JWT_AUDIENCE: optional,
  JWT_ALLOW_NO_EXP: bool,
  JWT_MAX_TOKEN_LIFETIME_SECONDS: optionalInt(1, 10 * 365 * 24 * 3600),
  GRAPHIQL: bool,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_MESSAGE_LENGTH: int(10_000, 1, 1_000_000),
  MAX_REQUEST_BYTES: int(1_048_576, 1024, 100 * 1_048_576),
  REPLAY_LIMIT: int(1000, 1, 100_000),
  TYPING_TTL_MS: int(5000, 500, 60_000),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
  METRICS_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  METRICS_MAX_OPERATION_NAMES: int(100, 0, 10_000),
  METRICS_MAX_TENANT_LABELS: int(50, 0, 10_000),
  LOG_REPEAT_INTERVAL_MS: int(60_000, 100, 3_600_000),
  MAX_LIST_NODES: int(10_000, 100, 10_000_000),
  INTROSPECTION: bool,
  REST_DOCS: bool,
  ALLOWED_ORIGINS: optional.transform((v) =>
    v
      ?.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  ),
  REQUEST_TIMEOUT_MS: int(30_000, 1000, 3_600_000),
  HEADERS_TIMEOUT_MS: int(10_000, 1000, 600_000),
  // CONTRACT.md: `off` turns every rate limit off; anything else leaves them on.
  RATE_LIMITS: z
    .string()
    .optional()
    .transform((v) => v?.trim().toLowerCase() !== 'off'),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86_400),
  RATE_LIMIT_SENDS_PER_USER: int(120, 1, 10_000_000),
  RATE_LIMIT_SENDS_PER_TENANT: int(6000, 1, 100_000_000),
  RATE_LIMIT_OPERATIONS_PER_USER: int(1200, 1, 100_000_000),
  RATE_LIMIT_AUTH_FAILURES_PER_IP: int(100, 1, 10_000_000),
  MAX_SUBSCRIPTIONS_PER_SOCKET: int(100, 1, 100_000),
  MAX_SOCKETS_PER_USER: int(50, 1, 100_000),
  MAX_SSE_STREAMS_PER_USER: int(50, 1, 100_000),
  // Notifications and webhooks (src/outbox, src/modules/webhooks, src/modules/notifications)
  OUTBOX_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
    .default('graphile_worker'),
  OUTBOX_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_]{0,40}$/, 'must be lowercase letters, digits and _')
    .default(''),
  OUTBOX_CONCURRENCY: int(4, 1, 100),
  OUTBOX_WORKER: bool,
  WEBHOOK_ALLOW_PRIVATE: bool,
  WEBHOOK_MAX_ATTEMPTS: int(8, 1, 50),
  WEBHOOK_RETRY_BASE_MS: int(10_000, 1, 86_400_000),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  WEBHOOK_DISABLE_AFTER_DEAD_LETTERS: int(5, 1, 1000),
  NOTIFY_DELAY_MS: int(10_000, 0, 86_400_000),
  ROW_LEVEL_SECURITY: bool,
  WS_MAX_BUFFERED_BYTES: int(4 * 1_048_576, 65_536, 1024 * 1_048_576),
  WS_SLOW_CONSUMER_MS: int(10_000, 100, 600_000),
})

export type Env = z.output<typeof schema>

export interface Config {
  env: Env['NODE_ENV']
  port: number
  host: string
  databaseUrl: string | undefined
  databasePoolSize: number
  dataDir: string
  redisUrl: string | undefined
  jwt: {
    secret: string | undefined
    publicKey: string | undefined
    issuer: string | undefined
    audience: string | undefined
    isDevelopmentSecret: boolean
    /** Accept tokens without `exp` (they never expire). */
    allowNoExp: boolean
    /** Longest accepted exp − iat, when set. */
    maxLifetimeSeconds: number | undefined
  }
  graphiql: boolean
  logLevel: Env['LOG_LEVEL']
  maxMessageLength: number
  maxRequestBytes: number
  replayLimit: number
  typingTtlMs: number
  shutdownTimeoutMs: number
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined
  /** Distinct operation names that get their own metric series; the rest are "other". */
  metricsMaxOperationNames: number
  /** Tenants with their own series in the per-tenant counters; the rest are "other". */
  metricsMaxTenantLabels: number
  /** A repeated infrastructure warning is logged once, then at most once per this interval with a count. */
  logRepeatIntervalMs: number
  /** List items (first/last, multiplied through nesting) one operation may ask for. */
  maxListNodes: number
  /** GraphQL introspection (`__schema`, `__type`): on unless production, where INTROSPECTION=true turns it on. */
  introspection: boolean
  /** /rest/openapi.json and /rest/docs: on unless production, where REST_DOCS=true turns them on. */
  restDocs: boolean
  /** Origins browsers may call from; undefined = any (without credentials). */
  allowedOrigins: string[] | undefined
  /** Longest time to receive a whole request (headers and body). */
  requestTimeoutMs: number
  /** Longest time to receive a request's headers. */
  headersTimeoutMs: number
  /** Per window of `windowSeconds`; `enabled: false` with RATE_LIMITS=off. */
  rateLimits: {
    enabled: boolean
    windowSeconds: number
    sendsPerUser: number
    sendsPerTenant: number
    operationsPerUser: number
    authFailuresPerIp: number
  }
  /** Open streams at once, per node (Infinity with RATE_LIMITS=off). */
  streamCaps: { subscriptionsPerSocket: number; socketsPerUser: number; sseStreamsPerUser: number }
  outbox: { schema: string; namespace: string; concurrency: number; worker: boolean }
  webhooks: { allowPrivate: boolean; maxAttempts: number; retryBaseMs: number; timeoutMs: number; disableAfterDeadLetters: number }
  notifyDelayMs: number
  /** A WebSocket whose send buffer stays above this many bytes for wsSlowConsumerMs is closed (1013). */
  /** PostgreSQL row-level security as a second wall (src/db/row-security.ts). */
  rowLevelSecurity: boolean
  wsMaxBufferedBytes: number
  wsSlowConsumerMs: number
}

export class ConfigError extends Error {}

function isVerificationKey(pem: string) {
  try {
    const key = createPublicKey(pem.replaceAll('\\n', '\n'))
    return key.asymmetricKeyType === 'rsa' || (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
  } catch {
    return false
  }
}

const blank = (v: string | undefined) => v === undefined || v.trim() === ''

/**
 * Rules that involve several variables. They read the raw values, so they are reported together with
 * every per-variable problem (a zod refinement on the object would only run once all of those are fixed).
 */
function crossChecks(source: Record<string, string | undefined>): string[] {
  const problems: string[] = []
  if (source.NODE_ENV === 'production' && blank(source.JWT_SECRET) && blank(source.JWT_PUBLIC_KEY))
    problems.push('JWT_SECRET: JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production')
  if (!blank(source.JWT_SECRET) && source.JWT_SECRET!.length < 16) problems.push('JWT_SECRET: must be at least 16 characters')
  return problems
}

/** Parses the environment; throws ConfigError listing every problem at once, one line each. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(source)
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`)),
    ...crossChecks(source),
  ]
  // Without a configured key the development secret is kept in DATA_DIR: a DATA_DIR that cannot hold
  // it is a configuration problem too, reported with the others rather than as a crash.
  let devSecret: string | undefined
  if (parsed.success && !problems.length && !parsed.data.JWT_SECRET && !parsed.data.JWT_PUBLIC_KEY) {
    try {
      devSecret = developmentSecret(parsed.data.DATA_DIR)
    } catch (e) {
      problems.push(
        `DATA_DIR: cannot keep the development secret in ${parsed.data.DATA_DIR} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose a writable directory or set JWT_SECRET`,
      )
    }
  }
  if (!parsed.success || problems.length) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
  const e = parsed.data
  const isDevelopmentSecret = !e.JWT_SECRET && !e.JWT_PUBLIC_KEY
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    jwt: {
      secret: isDevelopmentSecret ? devSecret : e.JWT_SECRET,
      publicKey: e.JWT_PUBLIC_KEY,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      isDevelopmentSecret,
      allowNoExp: e.JWT_ALLOW_NO_EXP ?? false,
      maxLifetimeSeconds: e.JWT_MAX_TOKEN_LIFETIME_SECONDS,
    },
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    logLevel: e.LOG_LEVEL,
    maxMessageLength: e.MAX_MESSAGE_LENGTH,
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    replayLimit: e.REPLAY_LIMIT,
    typingTtlMs: e.TYPING_TTL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    metricsMaxOperationNames: e.METRICS_MAX_OPERATION_NAMES,
    metricsMaxTenantLabels: e.METRICS_MAX_TENANT_LABELS,
    logRepeatIntervalMs: e.LOG_REPEAT_INTERVAL_MS,
    maxListNodes: e.MAX_LIST_NODES,
    introspection: e.INTROSPECTION ?? e.NODE_ENV !== 'production',
    restDocs: e.REST_DOCS ?? e.NODE_ENV !== 'production',
    allowedOrigins: e.ALLOWED_ORIGINS?.length ? e.ALLOWED_ORIGINS : undefined,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(e.HEADERS_TIMEOUT_MS, e.REQUEST_TIMEOUT_MS),
    rateLimits: {
      enabled: e.RATE_LIMITS,
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      sendsPerUser: e.RATE_LIMIT_SENDS_PER_USER,
      sendsPerTenant: e.RATE_LIMIT_SENDS_PER_TENANT,
      operationsPerUser: e.RATE_LIMIT_OPERATIONS_PER_USER,
      authFailuresPerIp: e.RATE_LIMIT_AUTH_FAILURES_PER_IP,
    },
    streamCaps: e.RATE_LIMITS
      ? {
          subscriptionsPerSocket: e.MAX_SUBSCRIPTIONS_PER_SOCKET,
          socketsPerUser: e.MAX_SOCKETS_PER_USER,
          sseStreamsPerUser: e.MAX_SSE_STREAMS_PER_USER,
        }
      : { subscriptionsPerSocket: Infinity, socketsPerUser: Infinity, sseStreamsPerUser: Infinity },
    outbox: { schema: e.OUTBOX_SCHEMA, namespace: e.OUTBOX_NAMESPACE, concurrency: e.OUTBOX_CONCURRENCY, worker: e.OUTBOX_WORKER ?? true },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE ?? false,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      disableAfterDeadLetters: e.WEBHOOK_DISABLE_AFTER_DEAD_LETTERS,
    },
    notifyDelayMs: e.NOTIFY_DELAY_MS,
    rowLevelSecurity: e.ROW_LEVEL_SECURITY ?? true,
    wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    wsSlowConsumerMs: e.WS_SLOW_CONSUMER_MS,
  }
}
