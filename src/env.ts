// Configuration, parsed once from the environment. Everything the server reads from process.env is here.
import { z } from 'zod'

export const DEV_JWT_SECRET = 'switchboard-development-secret-not-for-production'

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
const bool = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'))
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def)

const schema = z
  .object({
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
    JWT_PUBLIC_KEY: optional,
    JWT_ISSUER: optional,
    JWT_AUDIENCE: optional,
    GRAPHIQL: bool,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    MAX_MESSAGE_LENGTH: int(10_000, 1, 1_000_000),
    MAX_REQUEST_BYTES: int(1_048_576, 1024, 100 * 1_048_576),
    REPLAY_LIMIT: int(1000, 1, 100_000),
    TYPING_TTL_MS: int(5000, 500, 60_000),
    SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000),
    // Notifications and webhooks (src/outbox, src/modules/webhooks, src/modules/notifications)
    OUTBOX_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier').default('graphile_worker'),
    OUTBOX_NAMESPACE: z.string().regex(/^[a-z0-9_]{0,40}$/, 'must be lowercase letters, digits and _').default(''),
    OUTBOX_CONCURRENCY: int(4, 1, 100),
    OUTBOX_WORKER: bool,
    WEBHOOK_ALLOW_PRIVATE: bool,
    WEBHOOK_MAX_ATTEMPTS: int(8, 1, 50),
    WEBHOOK_RETRY_BASE_MS: int(10_000, 1, 86_400_000),
    WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
    WEBHOOK_DISABLE_AFTER_DEAD_LETTERS: int(5, 1, 1000),
    NOTIFY_DELAY_MS: int(10_000, 0, 86_400_000),
    WS_MAX_BUFFERED_BYTES: int(4 * 1_048_576, 65_536, 1024 * 1_048_576),
    WS_SLOW_CONSUMER_MS: int(10_000, 100, 600_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET && !env.JWT_PUBLIC_KEY)
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production' })
    if (env.JWT_SECRET && env.JWT_SECRET.length < 16)
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 16 characters' })
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
  jwt: { secret: string | undefined; publicKey: string | undefined; issuer: string | undefined; audience: string | undefined; isDevelopmentSecret: boolean }
  graphiql: boolean
  logLevel: Env['LOG_LEVEL']
  maxMessageLength: number
  maxRequestBytes: number
  replayLimit: number
  typingTtlMs: number
  shutdownTimeoutMs: number
  outbox: { schema: string; namespace: string; concurrency: number; worker: boolean }
  webhooks: { allowPrivate: boolean; maxAttempts: number; retryBaseMs: number; timeoutMs: number; disableAfterDeadLetters: number }
  notifyDelayMs: number
  /** A WebSocket whose send buffer stays above this many bytes for wsSlowConsumerMs is closed (1013). */
  wsMaxBufferedBytes: number
  wsSlowConsumerMs: number
}

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one readable line per problem. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(source)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
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
      secret: isDevelopmentSecret ? DEV_JWT_SECRET : e.JWT_SECRET,
      publicKey: e.JWT_PUBLIC_KEY,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      isDevelopmentSecret,
    },
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    logLevel: e.LOG_LEVEL,
    maxMessageLength: e.MAX_MESSAGE_LENGTH,
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    replayLimit: e.REPLAY_LIMIT,
    typingTtlMs: e.TYPING_TTL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    outbox: { schema: e.OUTBOX_SCHEMA, namespace: e.OUTBOX_NAMESPACE, concurrency: e.OUTBOX_CONCURRENCY, worker: e.OUTBOX_WORKER ?? true },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE ?? false,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      disableAfterDeadLetters: e.WEBHOOK_DISABLE_AFTER_DEAD_LETTERS,
    },
    notifyDelayMs: e.NOTIFY_DELAY_MS,
    wsMaxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
    wsSlowConsumerMs: e.WS_SLOW_CONSUMER_MS,
  }
}
