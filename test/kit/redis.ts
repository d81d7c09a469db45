// A throwaway redis-server on a free loopback port, for tests that need Redis (or need to stop it).
import { spawn, spawnSync } from 'node:child_process'
import net from 'node:net'

export interface RedisServer {
  url: string
  port: number
  stop(): Promise<void>
  /** Starts it again on the same port (after stop()). */
  restart(): Promise<void>
}

export function hasRedisServer() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

export async function startRedisServer(): Promise<RedisServer | null> {
  if (!hasRedisServer()) return null
  const port = await freePort()
  let child: ReturnType<typeof spawn> | undefined
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    await waitForPort(port)
  }
  await launch()
  const stop = async () => {
    const c = child
    // Killed by a signal, a child has signalCode set and exitCode still null: stopped either way.
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve())
      c.kill('SIGKILL')
    })
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: launch }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`redis-server did not listen on ${port}`)
}
