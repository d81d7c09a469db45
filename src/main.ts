// Process entry: configuration → buildApp() → listen; graceful shutdown on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './env.js'
import { createLogger } from './logger.js'

let config
try {
  config = loadConfig()
} catch (e) {
  if (!(e instanceof ConfigError)) throw e
  console.error(e.message)
  process.exit(1)
}

const log = createLogger(config.logLevel)
const { buildApp } = await import('./app.js')
const { EmbeddedPostgresError } = await import('./db/embedded.js')

// Signals are handled from the first moment: a SIGTERM while starting stops what was started once it is
// up (the embedded database included), instead of killing the process with the default action.
let app: Awaited<ReturnType<typeof buildApp>> | undefined
let stopping = false
let listening = false
let stopped: Promise<void> | undefined
const stop = () =>
  (stopped ??= app!.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      log.error({ err: String(e) }, 'shutdown failed')
      process.exit(1)
    },
  ))
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    // A second signal does not wait for a start or a stop that hangs: exit now (the embedded database is
    // still stopped by its exit hook).
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    log.info({ signal }, 'shutting down')
    // While it starts listening, the stop waits for that to finish (below), so the two never overlap.
    if (app && listening) void stop()
  })

try {
  app = await buildApp(config, { log })
} catch (e) {
  // A start-up problem is one sentence with its remedy, never a stack (LOG_LEVEL=debug shows it).
  log.debug({ err: e }, 'start-up failed')
  console.error(
    e instanceof EmbeddedPostgresError ? e.message : `Switchboard could not start: ${String((e as Error)?.message ?? e).split('\n')[0]}`,
  )
  process.exit(1)
}
if (stopping) await stop()
let url: string
try {
  url = await app.start()
} catch (e) {
  // One clear line, and nothing left running (the embedded database included).
  const code = (e as { code?: string }).code
  console.error(
    code === 'EADDRINUSE'
      ? `Port ${config.port} on ${config.host} is already in use: stop what uses it or set PORT`
      : `Could not listen on ${config.host}:${config.port}: ${String(e)}`,
  )
  await app.stop().catch(() => {})
  process.exit(1)
}

listening = true
if (stopping) await stop()
const shownHost = config.host === '0.0.0.0' ? 'localhost' : config.host
const base = url.replace(/^http:\/\/[^:]+/, `http://${shownHost}`)
log.info(
  {
    url: `${base}/graphql`,
    database: config.databaseUrl ? 'DATABASE_URL' : `embedded (${config.dataDir})`,
    pubsub: config.redisUrl ? 'redis' : 'in-process',
  },
  'switchboard started',
)
const lines = [
  '',
  `  Switchboard is running at ${base}/graphql`,
  config.graphiql
    ? `  GraphiQL:  open ${base}/graphql in a browser`
    : '  GraphiQL:  off (NODE_ENV=production; set GRAPHIQL=true to enable)',
  `  Database:  ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL under ${config.dataDir}`}   Pub/sub: ${config.redisUrl ? 'Redis (REDIS_URL)' : 'in-process'}`,
  `  Token:     npm run token -- --tenant acme --user alice --role operator`,
  config.jwt.isDevelopmentSecret
    ? `  JWT_SECRET is unset: tokens are verified with this instance's development secret "${config.jwt.secret}" (random, kept in ${config.dataDir}/dev-jwt-secret)`
    : '',
  '',
]
process.stdout.write(lines.filter((l, i) => l || i === 0 || i === lines.length - 1).join('\n') + '\n')
