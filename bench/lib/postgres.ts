// The database for the whole run: DATABASE_URL when set, else one embedded PostgreSQL (the project's own
// src/db/embedded.ts) under a temporary directory. The raw pg baseline gets its own schema, dropped at the end.
import pg from 'pg'
import { startEmbeddedPostgres } from '../../src/db/embedded.js'
import { rawSchemaSql } from './raw-sql.js'

export interface Database {
  url: string
  embedded: boolean
  stop(): Promise<void>
}

export async function startDatabase(tempDir: string): Promise<Database> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} }
  const db = await startEmbeddedPostgres(tempDir)
  return { url: db.url, embedded: true, stop: () => db.stop() }
}

export interface RawSchema {
  schema: string
  addConversations(ids: string[]): Promise<void>
  drop(): Promise<void>
}

export async function createRawSchema(url: string, runId: string): Promise<RawSchema> {
  const schema = `bench_raw_${runId.replace(/[^a-z0-9]/gi, '_')}`
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {}) // e.g. the database stopped by Ctrl-C: the next query fails instead
  await client.connect()
  for (const sql of rawSchemaSql(schema)) await client.query(sql)
  return {
    schema,
    addConversations: async (ids) => {
      await client.query(`INSERT INTO ${schema}.conversation (id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [ids])
    },
    drop: async () => {
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end().catch(() => {})
      }
    },
  }
}
