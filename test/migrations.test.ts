import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { migrate } from '../src/db/migrate.js'

// A database of its own on the run's PostgreSQL server, created empty for this file.
const name = `migrations_${randomUUID().replaceAll('-', '')}`
const serverUrl = new URL(inject('databaseUrl'))
const adminUrl = Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString()
const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString()

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

beforeAll(() => admin(`create database ${name}`))
afterAll(() => admin(`drop database if exists ${name} with (force)`))

describe('migrations', () => {
  it('several nodes migrating an empty database at once: one applies, all succeed, a rerun is a no-op', async () => {
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)])
    const applied = results.flat()
    expect(applied.length).toBeGreaterThan(0)
    expect(new Set(applied).size).toBe(applied.length)
    expect(results.filter((r) => r.length > 0)).toHaveLength(1)
    expect(await migrate(url)).toEqual([])
  })

  it('the migrated database has no drift from prisma/schema.prisma (checked by Prisma)', () => {
    const result = spawnSync(
      'node_modules/.bin/prisma',
      ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code'],
      {
        env: { ...process.env, DATABASE_URL: url },
        encoding: 'utf8',
      },
    )
    expect(result.stdout + result.stderr).toMatch(/No difference detected|empty migration/i)
    expect(result.status).toBe(0)
  })
})
