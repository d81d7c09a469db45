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
export function createPrismaClient(url: string, poolSize: number, onQuery?: (durationMs: number) => void, options: { rowSecurity?: boolean } = {}): PrismaClient {
  let adapter: PrismaPg
  if (options.rowSecurity) {
    // Row-level security (src/db/row-security.ts): our own pool, whose connections run as the app role.
    const pool = new pg.Pool({ connectionString: url, max: poolSize })
    enforceRowSecurity(pool)
    adapter = new PrismaPg(pool as never)
  } else adapter = new PrismaPg({ connectionString: url, max: poolSize })
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] })
  if (onQuery) client.$on('query', (event) => onQuery(Number(event.duration)))
  return client as unknown as PrismaClient
}
