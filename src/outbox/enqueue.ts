// Transactional outbox on graphile-worker: a job is added by calling graphile_worker.add_job() inside
// the caller's transaction, so a rolled-back change enqueues nothing and a committed one cannot lose
// its job (it is a row in the same database, committed atomically with the change).
import type { Task, TaskList } from 'graphile-worker'
import { Prisma } from '../generated/prisma/client.js'
import type { OutboxEvent } from './events.js'

/** The task every domain event goes to first; it fans out to webhooks and notification rules. */
export const OUTBOX_EVENT_TASK = 'outbox_event'

/** Anything that can run raw SQL inside the caller's transaction (a Prisma interactive tx, tenant-scoped or not). */
export interface RawExecutor {
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Prisma.PrismaPromise<number>
}

export interface AddJobOptions {
  runAt?: Date
  jobKey?: string
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe'
  maxAttempts?: number
}

/**
 * The SQL expression that adds one job: `graphile_worker.add_job(...)`. Usable as a standalone
 * `SELECT`, or inside a larger single statement (e.g. a CTE of a raw send:
 * `WITH m AS (INSERT ... RETURNING ...), j AS (SELECT <addJobSql(...)> FROM m) ...`).
 * `payload` is an Sql fragment producing json (e.g. Prisma.sql`json_build_object(...)`) or a value.
 */
export function addJobSql(schema: string, task: string, payload: Prisma.Sql | unknown, options: AddJobOptions = {}): Prisma.Sql {
  const json = payload instanceof Prisma.Sql ? payload : Prisma.sql`${JSON.stringify(payload)}::json`
  return Prisma.sql`${Prisma.raw(`"${schema}"`)}.add_job(
    identifier => ${task}::text,
    payload => ${json},
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    job_key_mode => ${options.jobKeyMode ?? 'replace'}::text
  )`
}

/** The outbox of one app: its worker schema and task namespace (AppServices.outbox). */
export interface Outbox {
  schema: string
  /** Adds the domain event in the caller's transaction; webhooks and rules run after commit, from the worker. */
  enqueue(tx: RawExecutor, event: OutboxEvent): Promise<void>
  /**
   * The same as an SQL expression, for a single-statement write: `SELECT ${outbox.enqueueSql(json)}`
   * or a CTE `..., outbox AS (SELECT ${outbox.enqueueSql(Prisma.sql`json_build_object(...)`)} FROM m)`.
   * The json must have the OutboxEvent shape (id, tenantId, type, occurredAt, data[, hints]).
   */
  enqueueSql(event: OutboxEvent | Prisma.Sql): Prisma.Sql
  addJob(tx: RawExecutor, task: string, payload: unknown, options?: AddJobOptions): Promise<void>
  /** The same as an SQL expression (this outbox's schema and task namespace), for a single-statement write. */
  addJobSql(task: string, payload: Prisma.Sql | unknown, options?: AddJobOptions): Prisma.Sql
  /** A task's name as this outbox stores it (its namespace applied). */
  taskName(task: string): string
  /** The worker's task list with this outbox's namespace applied to the task names. */
  taskList(tasks: Record<string, Task>): TaskList
}

const EVENT_JOB = { maxAttempts: 25 } as const

/**
 * `namespace` prefixes task names: graphile-worker runs only the tasks a worker knows, so deployments
 * (or test servers) with different settings can share one database without taking each other's jobs.
 */
export function createOutbox(schema: string, namespace = ''): Outbox {
  const name = (task: string) => (namespace ? `${namespace}:${task}` : task)
  const addJob = async (tx: RawExecutor, task: string, payload: unknown, options: AddJobOptions = {}) => {
    await tx.$executeRaw(Prisma.sql`SELECT ${addJobSql(schema, name(task), payload, options)}`)
  }
  return {
    schema,
    enqueue: (tx, event) => addJob(tx, OUTBOX_EVENT_TASK, event, EVENT_JOB),
    enqueueSql: (event) => addJobSql(schema, name(OUTBOX_EVENT_TASK), event, EVENT_JOB),
    addJob,
    addJobSql: (task, payload, options) => addJobSql(schema, name(task), payload, options),
    taskName: name,
    taskList: (tasks) => Object.fromEntries(Object.entries(tasks).map(([task, fn]) => [name(task), fn])),
  }
}
