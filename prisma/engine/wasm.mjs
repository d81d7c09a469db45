// Prisma's schema engine compiled to Wasm (@prisma/schema-engine-wasm, the engines build of prisma 7.10.0).
// Used by the stand-in CLI binary (schema-engine.mjs) and by the server's start-up migration step.
import fs from 'node:fs/promises'
import path from 'node:path'
import { createRequire } from 'node:module'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg'
import { pgMigrationAdapterFactory } from './pg-adapter.mjs'

const require = createRequire(import.meta.url)
export const wasmDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'))
const projectRoot = path.resolve(import.meta.dirname, '../..')

let instantiated
export async function newSchemaEngine(datamodels, adapterFactory, onLog = () => {}) {
  instantiated ??= fs.readFile(path.join(wasmDir, 'schema_engine_bg.wasm')).then((bytes) => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { './schema_engine_bg.js': glue })
    glue.__wbg_set_wasm(instance.exports)
    instance.exports.__wbindgen_start()
  })
  await instantiated
  return glue.SchemaEngine.new({ datamodels }, onLog, bindMigrationAwareSqlAdapterFactory(adapterFactory))
}

/**
 * What `prisma migrate deploy` does: applies the committed migrations not yet recorded in
 * _prisma_migrations and returns their names. Runs in a worker thread that is terminated afterwards,
 * because the Wasm engine leaves a timer and ~100 MB of memory behind.
 */
export function deployMigrations(connectionString) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { deploy: connectionString } })
    worker.once('message', (m) => {
      void worker.terminate()
      if (m.ok) resolve(m.applied)
      else reject(Object.assign(new Error(m.message), { code: m.code }))
    })
    worker.once('error', reject)
  })
}

if (!isMainThread && workerData?.deploy) {
  deployInThisThread(workerData.deploy).then(
    (applied) => parentPort.postMessage({ ok: true, applied }),
    (e) => parentPort.postMessage({ ok: false, message: e.message, code: e.code }),
  )
}

async function deployInThisThread(connectionString) {
  const schemaPath = path.join(projectRoot, 'prisma/schema.prisma')
  const dir = path.join(projectRoot, 'prisma/migrations')
  const factory = pgMigrationAdapterFactory(connectionString)
  const engine = await newSchemaEngine([[schemaPath, await fs.readFile(schemaPath, 'utf8')]], factory)
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => [])
    const names = entries
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
    const lockfile = await fs.readFile(path.join(dir, 'migration_lock.toml'), 'utf8').catch(() => null)
    const migrationDirectories = await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await fs.readFile(path.join(dir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok', value }),
            (e) => ({ tag: 'error', value: String(e) }),
          ),
        },
      })),
    )
    const out = await engine.applyMigrations({
      migrationsList: {
        baseDir: dir,
        shadowDbInitScript: '',
        lockfile: { path: 'migration_lock.toml', content: lockfile },
        migrationDirectories,
      },
      filters: { externalTables: [], externalEnums: [] },
    })
    return out.appliedMigrationNames
  } finally {
    engine.free()
    await factory.close()
  }
}
