// Starts and drives the raw ws baseline process (raw-ws-server.ts).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Reply } from './protocol.js'
import { stopChild } from './common.js'
import { GC_PRELOAD } from './server.js'

export interface RawWs {
  pid: number
  url: string
  count(key: string): Promise<number>
  /** V8 heap in use after a GC. */
  heapUsed(): Promise<number>
  template(frame: string, field: 'seq' | 'lastSeq'): Promise<number>
  broadcast(key: string, write?: { databaseUrl: string; schema: string }): Promise<number>
  stop(): Promise<void>
}

export async function startRawWs(): Promise<RawWs> {
  const child = fork(fileURLToPath(new URL('./raw-ws-server.ts', import.meta.url)), [], {
    execArgv: ['--expose-gc', '--import', GC_PRELOAD, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let nextId = 1
  child.on('message', (m: Reply) => {
    const p = pending.get(m.id)
    if (!p) return
    pending.delete(m.id)
    if (m.ok) p.resolve(m.result)
    else p.reject(new Error(`raw ws server: ${m.error}`))
  })
  child.on('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`raw ws server exited (${code ?? signal})`))
    pending.clear()
  })
  const call = <T>(command: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      child.send({ id, ...command })
    })
  const port = await call<number>({ cmd: 'listen' })
  return {
    pid: child.pid!,
    url: `ws://127.0.0.1:${port}/graphql`,
    count: (key) => call({ cmd: 'count', key }),
    heapUsed: () => call({ cmd: 'heap' }),
    template: (frame, field) => call({ cmd: 'template', frame, field }),
    broadcast: (key, write) => call({ cmd: 'broadcast', key, write }),
    stop: () => stopChild(child),
  }
}
