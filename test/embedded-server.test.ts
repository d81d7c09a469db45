// The two-command promise, tried as a new user would: `npm start` (node --import tsx src/main.ts) with
// nothing configured runs on an embedded PostgreSQL under DATA_DIR; two instances run side by side; a
// SIGKILLed instance comes back with its data; SIGTERM shuts down cleanly.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { execute } from './kit/execute.js'
import { signToken } from './kit/tokens.js'
import { freePort } from './kit/redis.js'
import { developmentSecret } from '../src/auth/dev-secret.js'
import { ViewerDocument } from '../client/generated/graphql.js'

const children = new Set<ChildProcess>()
const dirs: string[] = []
afterAll(async () => {
  const exited = [...children]
    .filter((child) => child.exitCode === null && child.signalCode === null)
    .map((child) => new Promise((r) => child.once('exit', r)))
  for (const child of children) child.kill('SIGKILL')
  await Promise.all(exited)
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-embedded-'))
  dirs.push(dir)
  return dir
}

function cleanEnv(extra: Record<string, string>) {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|JWT_|PORT|HOST|DATA_DIR|NODE_ENV|VITEST)/.test(k)) env[k] = v
  return { ...env, LOG_LEVEL: 'warn', ...extra }
}

/** Another server of the run may take the picked port before the child listens: then try another one. */
async function startServer(dataDir: string): Promise<Awaited<ReturnType<typeof startServerOnce>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(dataDir)
    } catch (e) {
      if (attempt >= 3 || !String((e as Error).message).includes('EADDRINUSE')) throw e
    }
  }
}

async function startServerOnce(dataDir: string) {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: cleanEnv({ DATA_DIR: dataDir, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000)
    const check = () => {
      if (output.includes('Switchboard is running')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exited }
}

/** A token signed with the development secret the server generated in its DATA_DIR (what `npm run token` does). */
const devToken = (dataDir: string) => signToken({ tid: 'acme', sub: 'alice', role: 'operator', secret: developmentSecret(dataDir) })

describe('npm start with nothing configured', () => {
  it('runs on embedded PostgreSQL, side by side with a second instance, and survives SIGKILL with its data', async () => {
    const dirA = tempDir()
    const dirB = tempDir()
    const [a, b] = await Promise.all([startServer(dirA), startServer(dirB)])
    expect(a.output()).toContain('npm run token')
    expect(a.output()).toContain('/graphql')
    for (const server of [a, b]) {
      expect((await fetch(`${server.url}/health`)).status).toBe(200)
      expect((await fetch(`${server.url}/ready`)).status).toBe(200)
    }
    const token = await devToken(dirA)
    const before = (await execute(`${a.url}/graphql`, { document: ViewerDocument, token })).expectData()
    expect(before.viewer.tenant.externalId).toBe('acme')
    ;(await execute(`${a.url}/graphql`, { document: ViewerDocument })).expectError('UNAUTHENTICATED')

    a.child.kill('SIGKILL')
    await a.exited
    const again = await startServer(dirA)
    const after = (await execute(`${again.url}/graphql`, { document: ViewerDocument, token })).expectData()
    expect(after.viewer.user.id).toBe(before.viewer.user.id)

    // SIGTERM: a clean exit that also stops the embedded PostgreSQL.
    again.child.kill('SIGTERM')
    b.child.kill('SIGTERM')
    expect(await again.exited).toBe(0)
    expect(await b.exited).toBe(0)
    expect(fs.existsSync(path.join(dirA, 'pg', 'postmaster.pid'))).toBe(false)
  }, 240_000)

  it('a second process on the same DATA_DIR is refused while the first runs', async () => {
    const dir = tempDir()
    const first = await startServer(dir)
    try {
      await expect(startServer(dir)).rejects.toThrow(/in use by process/)
      expect((await fetch(`${first.url}/ready`)).status).toBe(200)
    } finally {
      first.child.kill('SIGTERM')
      await first.exited
    }
  }, 120_000)

  it('refuses to start on invalid configuration, with a readable message and a non-zero exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: cleanEnv({ PORT: 'eighty', DATA_DIR: tempDir() }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += d))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(1)
    expect(stderr).toContain('Invalid configuration')
    expect(stderr).toContain('PORT')
  })

  it('a busy port is one clear line and a non-zero exit, and the embedded database is not left running', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    const dir = tempDir()
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir }),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr!.on('data', (d) => (stderr += d))
      expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1)
      expect(stderr.trim()).toBe(`Port ${port} on 127.0.0.1 is already in use: stop what uses it or set PORT`)
      // The embedded PostgreSQL it had started was stopped (no live postmaster for its data dir).
      const pidFile = path.join(dir, 'pg', 'postmaster.pid')
      const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined
      const alive =
        pid !== undefined &&
        (() => {
          try {
            process.kill(pid, 0)
            return true
          } catch {
            return false
          }
        })()
      expect(alive).toBe(false)
    } finally {
      blocker.close()
    }
  })

  it('refuses to start in production without a JWT secret or public key', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: cleanEnv({ NODE_ENV: 'production', DATA_DIR: tempDir() }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (d) => (stderr += d))
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1)
    expect(stderr).toContain('JWT_SECRET')
  })
})
