// Applies committed migrations the way `prisma migrate deploy` does, through Prisma's own engine
// (the Wasm build, see prisma/engine). A PostgreSQL advisory lock makes concurrent starts safe: the
// first node applies, the others wait and then find nothing pending.
import pg from 'pg'
import { deployMigrations } from '../../prisma/engine/wasm.mjs'

// Not Prisma's own key (72707369): the engine may take that one itself on its own connection.
const MIGRATION_LOCK = 5_358_116_001

export async function migrate(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      return await deployMigrations(url)
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    await client.end()
  }
}
