// Waiting for outbox states (not for time): the jobs of a test app's outbox schema.
import pg from 'pg'
import { inject } from 'vitest'
import { waitUntil } from './ready.js'

/** Runs SQL against the run's database (assertions on the outbox's own tables). */
export async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') })
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end()
  }
}

/** Jobs waiting in a test app's outbox (its OUTBOX_NAMESPACE), including scheduled ones. */
export async function outboxJobs(namespace: string): Promise<Array<{ task_identifier: string; payload: unknown; run_at: Date }>> {
  return sql(
    `select t.identifier as task_identifier, j.payload, j.run_at from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier like $1`,
    [`${namespace}:%`],
  )
}

/** Resolves once the outbox has no job left (everything dispatched, nothing scheduled). */
export function outboxDrained(namespace: string, timeoutMs?: number) {
  return waitUntil(async () => (await outboxJobs(namespace)).length === 0, `outbox ${namespace} is empty`, timeoutMs)
}
