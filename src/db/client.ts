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
  pools.set(client, pool)
  return client as unknown as PrismaClient
}

const pools = new WeakMap<object, pg.Pool>()

/** Disconnects the client and ends its pool (Prisma leaves a pool it was given open). */
export async function closePrismaClient(client: PrismaClient) {
  await client.$disconnect()
  const pool = pools.get(client)
  if (pool && !pool.ended) await pool.end()
}
