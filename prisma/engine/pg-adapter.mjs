// Driver adapter for Prisma's Wasm schema engine on PostgreSQL: @prisma/adapter-pg plus the fixes the
// engine needs (measured on 7.10.0).
//  1. The schema describer reads pg_catalog columns of type "char" (OID 18) and name (OID 19), which
//     adapter-pg cannot deserialize: they are reported to the adapter as text (OID 25).
//  2. adapter-pg drops a shadow database before closing its own pool ("being accessed by other
//     users"): here the pool closes first, then DROP DATABASE … WITH (FORCE).
//  3. `?schema=` in the URL selects the schema, as it does for the native engine.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'

const CATALOG_TYPES = new Set([18, 19])
const TEXT = 25

class CatalogTypesAsTextClient extends pg.Client {
  query(config, values, callback) {
    const fix = (result) => {
      for (const field of result?.fields ?? []) if (CATALOG_TYPES.has(field.dataTypeID)) field.dataTypeID = TEXT
      return result
    }
    if (typeof values === 'function') return super.query(config, (err, res) => values(err, res && fix(res)))
    if (typeof callback === 'function') return super.query(config, values, (err, res) => callback(err, res && fix(res)))
    const pending = super.query(config, values)
    return typeof pending?.then === 'function' ? pending.then(fix) : pending
  }
}

export function connectionConfig(connectionString) {
  const url = new URL(connectionString)
  return {
    host: url.searchParams.get('host') ?? url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
    schema: url.searchParams.get('schema') ?? undefined,
  }
}

export function pgMigrationAdapterFactory(connectionString) {
  const { schema, ...config } = connectionConfig(connectionString)
  const adapterFor = (cfg) =>
    new PrismaPg(
      new pg.Pool({
        ...cfg,
        Client: CatalogTypesAsTextClient,
        max: 1,
        ...(schema && { options: `-c search_path="${schema.replaceAll('"', '""')}"` }),
      }),
      { disposeExternalPool: true, schema },
    )
  const inner = adapterFor(config)
  const open = []
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const adapter = await inner.connect()
      open.push(adapter)
      return adapter
    },
    async connectToShadowDb() {
      const admin = new pg.Client(config)
      await admin.connect()
      const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`
      await admin.query(`CREATE DATABASE "${name}"`)
      const adapter = await adapterFor({ ...config, database: name }).connect()
      const dispose = adapter.dispose.bind(adapter)
      adapter.dispose = async () => {
        await dispose()
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
        await admin.end()
      }
      return adapter
    },
    async close() {
      for (const adapter of open.splice(0)) await adapter.dispose()
    },
  }
}
