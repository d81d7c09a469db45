// Transactional outbox on graphile-worker: a job is added by calling graphile_worker.add_job() inside
// the caller's transaction, so a rolled-back change enqueues nothing and a committed one cannot lose
// its job (it is a row in the same database, committed atomically with the change).
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
  queueName?: string
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
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => ${options.maxAttempts ?? null}::int,
    job_key => ${options.jobKey ?? null}::text,
    job_key_mode => ${options.jobKeyMode ?? 'replace'}::text
  )`
}

/** Adds a job in the caller's transaction. */
export async function addJob(tx: RawExecutor, schema: string, task: string, payload: unknown, options: AddJobOptions = {}): Promise<void> {
  await tx.$executeRaw(Prisma.sql`SELECT ${addJobSql(schema, task, payload, options)}`)
}

/** Enqueues a domain event in the caller's transaction (webhooks and rules run after commit, from the worker). */
export function enqueueEvent(tx: RawExecutor, schema: string, event: OutboxEvent): Promise<void> {
  return addJob(tx, schema, OUTBOX_EVENT_TASK, event, { maxAttempts: 25 })
}

/** The outbox bound to one app's worker schema (AppServices.outbox). */
export interface Outbox {
  schema: string
  /** enqueue(tx, event): adds the event in the caller's transaction. */
  enqueue(tx: RawExecutor, event: OutboxEvent): Promise<void>
  addJob(tx: RawExecutor, task: string, payload: unknown, options?: AddJobOptions): Promise<void>
}

export function createOutbox(schema: string): Outbox {
  return {
    schema,
    enqueue: (tx, event) => enqueueEvent(tx, schema, event),
    addJob: (tx, task, payload, options) => addJob(tx, schema, task, payload, options),
  }
}
