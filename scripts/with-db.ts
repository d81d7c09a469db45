// Runs a command with DATABASE_URL set: the given one, or the embedded PostgreSQL under DATA_DIR
// (started before and stopped after the command). Used by `npm run db:status`.
import { spawnSync } from 'node:child_process'
import { startEmbeddedPostgres } from '../src/db/embedded.js'

const [command, ...args] = process.argv.slice(2)
if (!command) throw new Error('usage: tsx scripts/with-db.ts <command> [args…]')
let stop = async () => {}
if (!process.env.DATABASE_URL) {
  const db = await startEmbeddedPostgres(process.env.DATA_DIR ?? './.data', console.error)
  process.env.DATABASE_URL = db.url
  stop = db.stop
}
const result = spawnSync(command === 'prisma' ? 'node_modules/.bin/prisma' : command, args, { stdio: 'inherit', env: process.env })
await stop()
process.exit(result.status ?? 1)
