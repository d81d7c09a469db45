// npm run db:migration -- <name>: writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL
// that takes a database at the committed migrations to prisma/schema.prisma, computed by Prisma's
// schema engine (`prisma migrate diff`). Uses a throwaway embedded PostgreSQL, so no shadow database
// and no data are involved. (Stock `prisma migrate dev` also runs through the Wasm engine, but its
// data-loss check needs a shadow database the Wasm engine cannot open here.)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { startEmbeddedPostgres } from '../src/db/embedded.js'
import { migrate } from '../src/db/migrate.js'

const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <name in snake_case>')
  process.exit(1)
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-migration-'))
const db = await startEmbeddedPostgres(dir)
try {
  await migrate(db.url)
  const diff = spawnSync(
    'node_modules/.bin/prisma',
    ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--script'],
    {
      env: { ...process.env, DATABASE_URL: db.url },
      encoding: 'utf8',
    },
  )
  if (diff.status !== 0) throw new Error(diff.stderr || diff.stdout)
  if (!diff.stdout.trim() || /empty migration/i.test(diff.stdout)) {
    console.log('prisma/schema.prisma matches the committed migrations: nothing to write')
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
    const folder = path.join('prisma/migrations', `${stamp}_${name}`)
    fs.mkdirSync(folder, { recursive: true })
    fs.writeFileSync(path.join(folder, 'migration.sql'), diff.stdout)
    console.log(`wrote ${folder}/migration.sql`)
  }
} finally {
  await db.stop()
  fs.rmSync(db.databaseDir, { recursive: true, force: true }) // outside `dir` when root's temp dir is private
  fs.rmSync(dir, { recursive: true, force: true })
}
