// The pool of load-generating worker processes (worker.ts, forked with tsx) and their IPC.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ProgressMessage, Reply, WorkerCommand } from './protocol.js'
import { stopChild } from './common.js'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))

export interface Worker {
  index: number
  pid: number
  /** `next` frames received since the last mark. */
  delivered: number
  call<T>(command: WorkerCommand): Promise<T>
}

export interface WorkerPool {
  workers: Worker[]
  /** Total `next` frames received by every worker since the last mark. */
  delivered(): number
  /** Called on every progress report. */
  onProgress: (() => void) | undefined
  all<T>(command: (w: Worker) => WorkerCommand | undefined): Promise<T[]>
  stop(): Promise<void>
}

export async function startWorkers(count: number): Promise<WorkerPool> {
  const children: ChildProcess[] = []
  const pool: WorkerPool = {
    workers: [],
    delivered: () => pool.workers.reduce((n, w) => n + w.delivered, 0),
    onProgress: undefined,
    all: async (command) => {
      const calls = pool.workers.map((w) => {
        const c = command(w)
        return c ? w.call<never>(c) : undefined
      })
      return (await Promise.all(calls.filter((c) => c !== undefined))) as never
    },
    stop: async () => {
      await Promise.all(children.map(stopChild))
    },
  }
  for (let index = 0; index < count; index++) {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    children.push(child)
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
    let nextId = 1
    const worker: Worker = {
      index,
      pid: child.pid!,
      delivered: 0,
      call: (command) =>
        new Promise((resolve, reject) => {
          const id = nextId++
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
          child.send({ id, ...command })
        }),
    }
    child.on('message', (m: Reply | ProgressMessage) => {
      if ('type' in m) {
        worker.delivered = m.delivered
        pool.onProgress?.()
        return
      }
      const p = pending.get(m.id)
      if (!p) return
      pending.delete(m.id)
      if (m.ok) p.resolve(m.result)
      else p.reject(new Error(`worker ${index}: ${m.error}`))
    })
    child.on('exit', (code, signal) => {
      for (const p of pending.values()) p.reject(new Error(`worker ${index} exited (${code ?? signal})`))
      pending.clear()
    })
    pool.workers.push(worker)
  }
  return pool
}

/** Splits items round-robin over n workers. */
export function split<T>(items: T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => [])
  items.forEach((item, i) => parts[i % n]!.push(item))
  return parts
}
