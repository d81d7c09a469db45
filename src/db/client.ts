import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../generated/prisma/client.js'

export type { PrismaClient }

/**
 * The one unscoped client of the process. Only src/db, provisioning (auth) and migrations use it
 * directly; everything tenant-owned goes through the tenant scope. `onQuery` sees every SQL statement's
 * duration (the db metrics, and the tests that count queries).
 */
export function createPrismaClient(url: string, poolSize: number, onQuery?: (durationMs: number) => void): PrismaClient {
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }), log: [{ emit: 'event', level: 'query' }] })
  if (onQuery) client.$on('query', (event) => onQuery(Number(event.duration)))
  return client as unknown as PrismaClient
}
