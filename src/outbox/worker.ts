// The outbox worker: graphile-worker running inside every server process. Jobs are taken with
// SELECT … FOR UPDATE SKIP LOCKED, so N processes share the work and each job runs once in normal
// operation (at-least-once if a process dies mid-job). Its schema is installed by migrateOutbox,
// under an advisory lock so processes starting together do not race.
import pg from 'pg'
import { Logger as WorkerLogger, run, runMigrations, type Runner, type TaskList } from 'graphile-worker'
import type { Logger, Warn } from '../logger.js'

const OUTBOX_MIGRATION_LOCK = 5_358_116_002

export async function migrateOutbox(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [OUTBOX_MIGRATION_LOCK])
    // Our own pool, ended here: graphile-worker does not wait for a pool it created to close.
    const pool = quietPool(url, 2)
    try {
      await runMigrations({ pgPool: pool, schema, logger: quietLogger() })
    } finally {
      await pool.end()
      await client.query('select pg_advisory_unlock($1)', [OUTBOX_MIGRATION_LOCK])
    }
  } finally {
    await client.end()
  }
}

export interface OutboxWorker {
  stop(): Promise<void>
}

export async function startOutboxWorker(options: {
  url: string
  schema: string
  concurrency: number
  log: Logger
  /** Rate-limited warnings (src/logger.ts): the pool reports every connection it loses. */
  warn?: Warn
  taskList: TaskList
}): Promise<OutboxWorker> {
  // Our own pool, so stop() waits for every connection to close and a connection the database ends
  // (a restart, the embedded server stopping) is logged instead of being an uncaught error.
  const warn: Warn = options.warn ?? ((_key, fields, message) => options.log.warn(fields, message))
  const pool = quietPool(options.url, options.concurrency + 2, (e) =>
    warn('outbox.connection', { err: e.message }, 'outbox connection error'),
  )
  const start = () =>
    run({
      pgPool: pool,
      schema: options.schema,
      concurrency: options.concurrency,
      // New jobs arrive through LISTEN/NOTIFY at once; the poll only picks up scheduled retries.
      pollInterval: 1000,
      noHandleSignals: true,
      logger: workerLogger(options.log),
      taskList: options.taskList,
    })
  // graphile-worker prints a worker's error with console.trace (a plain-text stack on stderr, outside the
  // JSON log; seen when the database goes away while the worker stops); while this worker runs, such
  // traces are one rate-limited JSON warning instead.
  const trace = console.trace
  console.trace = (...args: unknown[]) => warn('outbox.trace', { err: String(args[0]) }, 'outbox worker error')
  let stopping = false
  const runner: Runner = await start().catch((e: unknown) => {
    console.trace = trace
    throw e
  })
  // graphile-worker keeps retrying while the database is away; a runner that ends by itself is a bug.
  runner.promise.then(
    () => stopping || options.log.error('outbox worker stopped unexpectedly'),
    (e: unknown) => options.log.error({ err: String(e) }, 'outbox worker failed'),
  )
  return {
    stop: async () => {
      if (stopping) return
      stopping = true
      await runner.stop().catch((e: unknown) => options.log.warn({ err: String(e) }, 'outbox worker stop'))
      console.trace = trace
      if (!pool.ended) await pool.end().catch(() => {})
    },
  }
}

function quietPool(url: string, max: number, report: (e: Error) => void = () => {}) {
  const pool = new pg.Pool({ connectionString: url, max })
  pool.on('error', report)
  pool.on('connect', (client) => client.on('error', report))
  return pool
}

function workerLogger(log: Logger) {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...(meta && { meta }) }
    if (level === 'error') log.error(fields, message)
    else if (level === 'warning') log.warn(fields, message)
    else log.debug(fields, message)
  })
}

function quietLogger() {
  return new WorkerLogger(() => () => {})
}

/** Outbox depth and the age of its oldest runnable job (seconds), for /metrics. */
export async function outboxStats(pool: { $queryRawUnsafe<T>(sql: string): Promise<T> }, schema: string) {
  const [row] = await pool.$queryRawUnsafe<Array<{ depth: bigint; oldest: number | null }>>(
    `select count(*) as depth, extract(epoch from now() - min(run_at) filter (where run_at <= now() and locked_at is null))::float8 as oldest from "${schema}".jobs`,
  )
  return { depth: Number(row?.depth ?? 0), oldestAgeSeconds: Math.max(0, row?.oldest ?? 0) }
}
