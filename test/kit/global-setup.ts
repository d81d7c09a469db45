// Once per test run: one PostgreSQL (DATABASE_URL, or an embedded one in a temp dir) migrated with the
// project's own migrate(), and one Redis (REDIS_URL, or a local redis-server when the binary is on PATH).
// Tests isolate themselves by seeding a fresh tenant each, so they can share both.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '../../src/db/embedded.js'
import { migrate } from '../../src/db/migrate.js'
import { startRedisServer } from './redis.js'
import { migrateOutbox } from '../../src/outbox/worker.js'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    redisUrl: string | null
  }
}

export default async function setup(project: TestProject) {
  const cleanups: Array<() => Promise<void> | void> = []
  let databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-'))
    const db = await startEmbeddedPostgres(dir)
    databaseUrl = db.url
    cleanups.push(async () => {
      await db.stop()
      // As root with a private temp dir the cluster lives outside it (DATA_DIR/pg links to it).
      fs.rmSync(db.databaseDir, { recursive: true, force: true })
      fs.rmSync(dir, { recursive: true, force: true })
    })
  }
  await migrate(databaseUrl)
  // Before any worker runs: installing graphile-worker's schema notifies every worker of the database
  // (a "breaking migration"), which stops them. Test apps share this schema, each with its own namespace.
  await migrateOutbox(databaseUrl, 'graphile_worker')
  project.provide('databaseUrl', databaseUrl)

  let redisUrl = process.env.REDIS_URL ?? null
  if (!redisUrl) {
    const redis = await startRedisServer()
    if (redis) {
      redisUrl = redis.url
      cleanups.push(() => redis.stop())
    }
  }
  project.provide('redisUrl', redisUrl)
  if (!redisUrl) console.warn('No REDIS_URL and no redis-server on PATH: tests that need Redis are skipped')

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  }
}
