import { createHash } from 'node:crypto'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from '../generated/prisma/client.js'
import { enforceRowSecurity } from './row-security.js'

export type { PrismaClient }

/**
 * The one unscoped client of the process. Only src/db, provisioning (auth) and migrations use it
 * directly; everything tenant-owned goes through the tenant scope. `onQuery` sees every SQL statement's
 * duration (the db metrics, and the tests that count queries).
 */
export function createPrismaClient(
  url: string,
  poolSize: number,
  onQuery?: (durationMs: number) => void,
  options: { rowSecurity?: boolean; onConnectionError?: (error: Error) => void } = {},
): PrismaClient {
  // Our own pool: a connection the server ends (a restart, the embedded server stopping) is reported,
  // never an uncaught 'error' event that would take the process down.
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  const report = options.onConnectionError ?? (() => {})
  pool.on('error', report)
  pool.on('connect', (connection) => connection.on('error', report))
  // Row-level security (src/db/row-security.ts): connections run as the app role, for the work's tenant.
  if (options.rowSecurity) enforceRowSecurity(pool)
  const client = new PrismaClient({ adapter: new PrismaPg(pool as never), log: [{ emit: 'event', level: 'query' }] })
  if (onQuery) client.$on('query', (event) => onQuery(Number(event.duration)))
  pools.set(client, { pool, onQuery })
  return client as unknown as PrismaClient
}

const pools = new WeakMap<object, { pool: pg.Pool; onQuery?: (durationMs: number) => void }>()

// Prisma's DateTime columns are `timestamp(3)` holding UTC; pg would read them as local time.
const TIMESTAMP_WITHOUT_TIME_ZONE = 1114
const asUtc = (value: string) => new Date(`${value.replace(' ', 'T')}Z`)
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_WITHOUT_TIME_ZONE ? asUtc : pg.types.getTypeParser(oid, format),
}

// A named (prepared) statement is parsed and planned once per connection, not on every call; the name
// follows the text, as pg requires one text per name on a connection.
const statementNames = new Map<string, string>()
function statementName(text: string) {
  let name = statementNames.get(text)
  if (!name) statementNames.set(text, (name = `sb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`))
  return name
}

/**
 * Runs one statement on the client's own pool, past Prisma's query interpreter and prepared once per
 * connection: for the hot path (the send statement), where Prisma's per-call work and planning the
 * statement again on every call cost more than running it. The same connections,
 * so row-level security applies as to Prisma's statements (the pool carries the tenant of asTenant),
 * and the statement is counted as Prisma's are (onQuery). Rows come back as Prisma's raw queries give
 * them (timestamps as UTC Dates); errors are pg's (a unique violation has `code: '23505'`).
 */
export async function queryDirect<T>(client: PrismaClient, text: string, values: readonly unknown[]): Promise<T[]> {
  const owned = pools.get(client)
  if (!owned) throw new Error('queryDirect: not a client made by createPrismaClient')
  const startedAt = performance.now()
  try {
    return (await owned.pool.query({ name: statementName(text), text, values: values as unknown[], types })).rows as T[]
  } finally {
    owned.onQuery?.(performance.now() - startedAt)
  }
}

/** Disconnects the client and ends its pool (Prisma leaves a pool it was given open). */
export async function closePrismaClient(client: PrismaClient) {
  await client.$disconnect()
  const pool = pools.get(client)?.pool
  if (pool && !pool.ended) await pool.end()
}
