// buildApp(): the one factory behind main.ts, the tests, the scripts and the benchmarks.
// Opens the database (embedded PostgreSQL unless DATABASE_URL), applies migrations, connects pub/sub,
// builds Yoga, and returns { start, stop } plus the services it wired.
import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createYoga, useReadinessCheck, type Plugin as YogaPlugin } from 'graphql-yoga'
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor'
import type { Config } from './env.js'
import { createLogger, rateLimitedWarn, type Logger } from './logger.js'
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js'
import { migrate } from './db/migrate.js'
import { closePrismaClient, createPrismaClient } from './db/client.js'
import { prepareAppRole } from './db/row-security-grants.js'
import { TenantDbCache } from './db/tenant-scope.js'
import { createPubSub } from './realtime/pubsub.js'
import { createMetrics, useMetricsEndpoint, useRequestMetrics, useRestMetrics } from './server/metrics.js'
import { createTokenVerifier, bearerToken } from './auth/token.js'
import { useRequireViewer } from './auth/require-viewer.js'
import { ViewerProvisioner, type Viewer } from './auth/viewer.js'
import { AppError, unauthenticated } from './errors.js'
import { createRateLimits } from './limits/rate-limits.js'
import { StreamCounter } from './limits/streams.js'
import { useListSizeLimit } from './limits/list-size.js'
import { useHttpStreamCap, useOperationRateLimit } from './limits/plugins.js'
import type { AppServices, Context } from './context.js'
import { schema } from './schema.js'
import { maskError } from './server/mask-error.js'
import { useInputErrorCodes, useOperationLog, useRequestLimits } from './server/plugins.js'
import { attachWebSocketServer } from './server/websocket.js'
import { useSharedExecution } from './realtime/fanout.js'
import { TimelineHub } from './timeline/hub.js'
import { MembershipCache } from './timeline/membership.js'
import { InboxRouter } from './modules/inbox/router.js'
import { useResumableEventIds } from './server/sse.js'
import { useRestFallback } from './server/rest.js'
import { graphiqlOptions, renderGraphiQL, useGraphiQLAssets } from './server/graphiql.js'
import { corsOptions, useJsonMutationsOnly, useNoIntrospection, useOriginCheck } from './server/surface.js'
// Notifications and webhooks: the transactional outbox and its worker.
import { createOutbox } from './outbox/enqueue.js'
import { migrateOutbox, outboxStats, startOutboxWorker } from './outbox/worker.js'
import { registerOutboxGauges } from './outbox/metrics.js'
import { outboxTasks } from './jobs.js'

export interface BuildAppOptions {
  log?: Logger
  /** Apply pending migrations at start (default: true; always true on the embedded database). */
  migrate?: boolean
}

export interface App {
  services: AppServices
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, Context>>
  databaseUrl: string
  appliedMigrations: string[]
  /** Listens on `port` (0 = any free port) and resolves with the base URL. */
  start(port?: number, host?: string): Promise<string>
  stop(): Promise<void>
}

export async function buildApp(config: Config, options: BuildAppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel)
  let embedded: EmbeddedDatabase | undefined
  let databaseUrl = config.databaseUrl
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, (msg) => log.warn(msg))
    databaseUrl = embedded.url
  }
  const appliedMigrations = !embedded && options.migrate === false ? [] : await migrate(databaseUrl)
  if (appliedMigrations.length) log.info({ migrations: appliedMigrations }, 'applied migrations')
  // graphile-worker's own schema (idempotent, under an advisory lock): needed before the first enqueue.
  await migrateOutbox(databaseUrl, config.outbox.schema)

  const metrics = createMetrics({ maxTenantLabels: config.metricsMaxTenantLabels })
  if (config.rowLevelSecurity) await prepareAppRole(databaseUrl, config.outbox.schema)
  // Infrastructure warnings repeat with every request during an outage: first one, then a count per interval.
  const warn = rateLimitedWarn(log, config.logRepeatIntervalMs)
  const onConnectionError = (e: Error) => warn('database.connection', { err: e.message }, 'database connection error')
  const prisma = createPrismaClient(
    databaseUrl,
    config.databasePoolSize,
    (ms) => {
      metrics.dbQueries.inc()
      metrics.dbQueryDuration.observe(ms / 1000)
    },
    { rowSecurity: config.rowLevelSecurity, onConnectionError },
  )
  const pubsub = createPubSub(config.redisUrl, log, { onPublishFailure: () => metrics.publishFailures.inc(), warn })
  const shutdown = new AbortController()
  // Every live stream listens for shutdown: not a leak.
  setMaxListeners(0, shutdown.signal)
  const tenantDbs = new TenantDbCache(prisma, { rowSecurity: config.rowLevelSecurity })
  const broker = pubsub.broker
  const membership = new MembershipCache(prisma, broker)
  const timeline = new TimelineHub({ tenantDbs, broker, membership, metrics, warn })
  const inbox = new InboxRouter(broker, membership, warn)
  const outbox = createOutbox(config.outbox.schema, config.outbox.namespace)
  const limits = createRateLimits(config)
  const services: AppServices = {
    config,
    log,
    prisma,
    tenantDbs,
    broker,
    timeline,
    membership,
    inbox,
    metrics,
    limits,
    outbox,
    shutdown: shutdown.signal,
  }
  registerOutboxGauges(metrics.registry, () => outboxStats(prisma, config.outbox.schema))
  // The outbox worker runs in every server process (unless OUTBOX_WORKER=false); jobs are shared out with
  // SKIP LOCKED. Its handlers use their own small Prisma pool, so background work never takes the
  // connections requests wait for (and its statements are not in switchboard_db_queries_total).
  const workerPrisma = config.outbox.worker
    ? createPrismaClient(databaseUrl, config.outbox.concurrency + 1, undefined, { rowSecurity: config.rowLevelSecurity, onConnectionError })
    : undefined
  const worker = !workerPrisma
    ? { stop: async () => {} }
    : await startOutboxWorker({
        url: databaseUrl,
        schema: config.outbox.schema,
        concurrency: config.outbox.concurrency,
        log,
        warn,
        taskList: outbox.taskList(
          outboxTasks({
            ...services,
            prisma: workerPrisma,
            tenantDbs: new TenantDbCache(workerPrisma, { rowSecurity: config.rowLevelSecurity }),
          }),
        ),
      })
  const verifyToken = await createTokenVerifier(config.jwt)
  const viewers = new ViewerProvisioner(prisma)

  // Failed authentications count per client IP (the socket's address: put a proxy's own limits in front
  // of it); an IP over RATE_LIMIT_AUTH_FAILURES_PER_IP gets RATE_LIMITED before its token is looked at.
  const resolveViewer = async (ctx: {
    request?: Request
    connectionParams?: Record<string, unknown>
    req?: IncomingMessage
  }): Promise<Viewer | null> => {
    const ip = ctx.req?.socket?.remoteAddress ?? 'unknown'
    const header = ctx.connectionParams ? authorizationParam(ctx.connectionParams) : ctx.request?.headers.get('authorization')
    let claims
    try {
      const token = bearerToken(header ?? undefined)
      if (!token) return null
      await limits.check('authFailuresPerIp', ip)
      claims = await verifyToken(token)
    } catch (e) {
      if (e instanceof AppError && e.code === 'UNAUTHENTICATED') await limits.consume('authFailuresPerIp', ip)
      throw e
    }
    return viewers.viewerFor(claims)
  }
  const sseStreams = new StreamCounter(config.streamCaps.sseStreamsPerUser)

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: false,
    // Self-contained GraphiQL (src/server/graphiql.ts): no CDN; the headers editor's token goes to
    // HTTP requests and to each subscription's graphql-ws connectionParams.
    graphiql: config.graphiql ? graphiqlOptions() : false,
    renderGraphiQL,
    maskedErrors: { maskError },
    cors: corsOptions(config.allowedOrigins),
    // The body size is enforced before the body is read (useRequestLimits: a declared Content-Length
    // over MAX_REQUEST_BYTES is 413, a body of undeclared size 411, and Node's parser reads no more
    // than the declared length). Yoga's own limit would pipe every request body through a counting
    // stream on top of that (a few per cent of a send's server time) without refusing anything more.
    maxRequestBodySize: false,
    // viewer is filled in by generic-auth (resolveViewer) before execution.
    context: ({ request }: { request?: Request }): Context => {
      const requestId = request?.headers.get('x-request-id')?.slice(0, 100) || randomUUID()
      return { requestId, log: log.child({ requestId }), app: services, viewer: null }
    },
    plugins: [
      useOriginCheck(config.allowedOrigins),
      ...(config.graphiql ? [useGraphiQLAssets()] : []),
      useRequestLimits(config.maxRequestBytes),
      ...(config.introspection ? [] : [useNoIntrospection()]),
      useJsonMutationsOnly(),
      useListSizeLimit(config.maxListNodes),
      EnvelopArmorPlugin({
        // Depth counts nested fields; fragment spreads add none (flattenFragments), so curated fragments cost nothing extra.
        maxDepth: { n: 12, flattenFragments: true },
        maxAliases: { n: 30 },
        maxDirectives: { n: 20 },
        maxTokens: { n: 2000 },
        costLimit: { maxCost: 20_000, flattenFragments: true },
        blockFieldSuggestion: { enabled: config.env === 'production' },
      }),
      useRequireViewer<Context & { request?: Request; connectionParams?: Record<string, unknown> }>({
        resolveUserFn: resolveViewer,
        validateUser: ({ user }) => (user ? undefined : unauthenticated()),
      }),
      useOperationRateLimit(limits),
      useHttpStreamCap(sseStreams, config.streamCaps.sseStreamsPerUser),
      useMetricsEndpoint(metrics, config.metricsToken),
      useRequestMetrics(metrics, config.metricsMaxOperationNames),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          const [database, redis] = await Promise.all([
            prisma.$queryRaw`select 1`.then(
              () => true,
              () => false,
            ),
            pubsub.ping(),
          ])
          return database && redis
        },
      }),
      useOperationLog(),
      useInputErrorCodes(),
      useResumableEventIds(metrics),
      useSharedExecution(metrics),
      useRestMetrics(metrics, schema),
      ...useRestFallback({ docs: config.restDocs }),
    ] as YogaPlugin[],
  })

  // A client must send its headers within HEADERS_TIMEOUT_MS and its whole request within
  // REQUEST_TIMEOUT_MS (408, socket closed): a body trickling a byte at a time cannot hold a socket.
  const server: Server = createServer(
    { requestTimeout: config.requestTimeoutMs, headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    yoga,
  )
  const websockets = attachWebSocketServer({ server, yoga, services, resolveViewer })

  let stopped: Promise<void> | undefined
  return {
    services,
    yoga,
    databaseUrl,
    appliedMigrations,
    start: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo
          resolve(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`)
        })
      }),
    // Graceful: stop accepting, end live streams (SSE streams complete), close sockets, drain in-flight
    // requests (up to SHUTDOWN_TIMEOUT_MS), then pub/sub, the database and the embedded server.
    stop: () =>
      (stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
        shutdown.abort()
        await websockets.close(config.shutdownTimeoutMs)
        server.closeIdleConnections()
        const drained = await Promise.race([closed.then(() => true), delay(config.shutdownTimeoutMs).then(() => false)])
        if (!drained) server.closeAllConnections()
        await yoga.dispose()
        await worker.stop()
        if (workerPrisma) await closePrismaClient(workerPrisma)
        membership.close()
        await services.broker.close()
        await limits.close()
        await closePrismaClient(prisma)
        await embedded?.stop()
        warn.close()
      })()),
  }
}

/** graphql-ws: `connectionParams.authorization` (the contract); GraphiQL-style clients nest their headers. */
function authorizationParam(params: Record<string, unknown>): unknown {
  const headers = (typeof params['headers'] === 'object' && params['headers'] !== null ? params['headers'] : {}) as Record<string, unknown>
  return params['authorization'] ?? params['Authorization'] ?? headers['authorization'] ?? headers['Authorization']
}

function delay(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms).unref())
}
