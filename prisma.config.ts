import path from 'node:path'
import { defineConfig } from 'prisma/config'

// Prisma's native schema engine is downloaded from the vendor's binary host, which is not reachable
// everywhere this project is built. Unless PRISMA_SCHEMA_ENGINE_BINARY is set (or
// PRISMA_NATIVE_SCHEMA_ENGINE=1 asks for the downloaded binary), every `prisma …` command runs the
// same engine compiled to Wasm through prisma/engine/schema-engine.mjs. Migration folders and the
// _prisma_migrations table are identical either way.
if (!process.env.PRISMA_SCHEMA_ENGINE_BINARY && process.env.PRISMA_NATIVE_SCHEMA_ENGINE !== '1') {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(import.meta.dirname, 'prisma/engine/schema-engine.mjs')
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Only commands that connect read this; `npm run db:*` set DATABASE_URL (embedded PostgreSQL when unset).
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
})
