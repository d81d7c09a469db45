#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, selected by prisma.config.ts. Speaks the
// binary's JSON-RPC-over-stdio protocol (plus its `--version` and `cli <command>` modes) and forwards
// every call to the Wasm build of the same engine, which reaches PostgreSQL through adapter-pg.
import fs from 'node:fs/promises'
import path from 'node:path'
import readline from 'node:readline'
import pg from 'pg'
import { newSchemaEngine, wasmDir } from './wasm.mjs'
import { pgMigrationAdapterFactory } from './pg-adapter.mjs'

const argv = process.argv.slice(2)
const option = (name) => argv.flatMap((a, i) => (a === name ? [argv[i + 1]] : []))
const log = (level, message, extra = {}) =>
  process.stderr.write(
    JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...extra }, target: 'schema_engine::logger' }) + '\n',
  )

if (argv.includes('--version') || argv.includes('-V')) {
  const { version } = JSON.parse(await fs.readFile(path.join(wasmDir, 'package.json'), 'utf8'))
  console.log(`schema-engine-cli ${version.split('.').pop()}`)
  process.exit(0)
}
const datasource = option('--datasource')[0] ? JSON.parse(option('--datasource')[0]) : {}

// `schema-engine --datasource {...} cli <command>`: migrate dev/deploy/reset check for or create the database.
const cliIndex = argv.indexOf('cli')
if (cliIndex >= 0) {
  const command = argv[cliIndex + 1]
  const database = decodeURIComponent(new URL(datasource.url).pathname.slice(1))
  const adminUrl = new URL(datasource.url)
  adminUrl.pathname = '/postgres'
  const quoted = `"${database.replaceAll('"', '""')}"`
  try {
    const client = new pg.Client({ connectionString: command === 'can-connect-to-database' ? datasource.url : adminUrl.toString() })
    await client.connect()
    if (command === 'create-database') await client.query(`CREATE DATABASE ${quoted}`)
    else if (command === 'drop-database') await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`)
    else if (command !== 'can-connect-to-database') throw Object.assign(new Error(`unsupported: cli ${command}`), { code: 'P1000' })
    await client.end()
    process.exit(0)
  } catch (e) {
    const code = e.code === '3D000' ? 'P1003' : e.code === '42P04' ? 'P1009' : /^P\d{4}$/.test(e.code ?? '') ? e.code : 'P1001'
    log('INFO', `cli ${command}`) // the Prisma CLI skips the engine's first stderr line
    log('ERROR', e.message, { error_code: code })
    process.exit(1)
  }
}

// JSON-RPC mode: one request per stdin line, one response per stdout line.
const datamodels = await Promise.all(option('--datamodels').map(async (p) => [p, await fs.readFile(p, 'utf8')]))
const factory = pgMigrationAdapterFactory(datasource.url ?? 'postgresql://postgres@127.0.0.1:1/postgres')
let enginePromise
const engine = () =>
  (enginePromise ??= newSchemaEngine(datamodels.length ? datamodels : undefined, factory, (line) =>
    process.stderr.write(String(line).trimEnd() + '\n'),
  ))
const send = (message) => process.stdout.write(JSON.stringify(message) + '\n')
let nextRequestId = 1_000_000
const awaitingAck = new Map()
const special = {
  getDatabaseVersion: (e, params) => e.version(params ?? null),
  // The native engine prints a diff through a `print` request back to the CLI.
  diff: async (e, params) => {
    const result = await e.diff(params)
    if (result.stdout) {
      const id = nextRequestId++
      await new Promise((ack) => {
        awaitingAck.set(id, ack)
        send({ jsonrpc: '2.0', id, method: 'print', params: { content: result.stdout.replace(/\n$/, '') } })
      })
    }
    return { exitCode: result.exitCode, stdout: null }
  },
}
readline
  .createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', async (line) => {
    if (!line.trim()) return
    const message = JSON.parse(line)
    if (message.method === undefined) {
      awaitingAck.get(message.id)?.()
      awaitingAck.delete(message.id)
      return
    }
    try {
      const e = await engine()
      const call =
        special[message.method] ??
        ((eng, params) => {
          if (typeof eng[message.method] !== 'function')
            throw Object.assign(new Error(`${message.method} is not available in the Wasm schema engine`), { code: 'P1000' })
          return eng[message.method](params ?? {})
        })
      send({ jsonrpc: '2.0', id: message.id, result: (await call(e, message.params)) ?? {} })
    } catch (err) {
      send({
        jsonrpc: '2.0',
        id: message.id,
        error: {
          code: 4466,
          message: 'An error happened. Check the data field for details.',
          data: { is_panic: false, message: err.message, error_code: err.code, meta: err.meta },
        },
      })
    }
  })
  .on('close', async () => {
    await factory.close()
    process.exit(0)
  })
