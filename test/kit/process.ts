// A second (or third) server as a real OS process: `node --import tsx src/main.ts`, sharing the run's
// PostgreSQL and, when asked for, its Redis. Multi-node tests send through one and read from another.
import { spawn, type ChildProcess } from 'node:child_process'
import { inject } from 'vitest'
import { GENEROUS_LIMITS, TEST_JWT_SECRET } from './app.js'
import { freePort } from './redis.js'

export interface ServerProcess {
  url: string
  graphqlUrl: string
  wsUrl: string
  child: ChildProcess
  stop(): Promise<void>
}

type ProcessOptions = {
  redisUrl?: string | null
  env?: Record<string, string>
  /** A fixed port (e.g. to start a server again where clients reconnect); default: a free one. */
  port?: number
}

/**
 * The port is picked free, then given to the child: another server of the run may take it in between
 * (files run in parallel). Then the child exits with EADDRINUSE and it is started again on another port.
 */
export async function startServerProcess(options: ProcessOptions = {}): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options)
    } catch (e) {
      if (attempt >= 3 || options.port !== undefined || !String((e as Error).message).includes('EADDRINUSE')) throw e
    }
  }
}

async function startOnce(options: ProcessOptions): Promise<ServerProcess> {
  const port = options.port ?? (await freePort())
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(REDIS_URL|VITEST)/.test(k)) env[k] = v
  Object.assign(env, {
    NODE_ENV: 'test',
    DATABASE_URL: inject('databaseUrl'),
    JWT_SECRET: TEST_JWT_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '8',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...(options.redisUrl && { REDIS_URL: options.redisUrl }),
    ...GENEROUS_LIMITS,
    ...options.env,
  })
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start:\n${output}`)), 60_000)
    child.stdout!.on('data', () => {
      if (output.includes('Switchboard is running')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server process exited with ${code}:\n${output}`))
    })
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
