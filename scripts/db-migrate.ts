// npm run db:migrate: applies pending migrations to DATABASE_URL, exactly as the server does at start
// (Prisma's engine, under an advisory lock). Safe to run on every deploy; a second run is a no-op.
import { migrate } from '../src/db/migrate.js'
import { migrateOutbox } from '../src/outbox/worker.js'

const url = process.env.DATABASE_URL
if (!url) {
  console.error('DATABASE_URL is not set (the embedded database is migrated by npm start)')
  process.exit(1)
}
const applied = await migrate(url)
// graphile-worker's schema for the outbox (its own migrations, idempotent).
await migrateOutbox(url, process.env.OUTBOX_SCHEMA || 'graphile_worker')
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations')
