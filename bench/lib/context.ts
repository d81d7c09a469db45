// What every scenario gets: the processes, the seeded world, the options, and where results go.
import type { Api, User } from './seed.js'
import type { ServerProcess } from './server.js'
import type { RawWs } from './raw-ws.js'
import type { RawSchema, Database } from './postgres.js'
import type { WorkerPool } from './workers.js'

export interface Options {
  quick: boolean
  /** Subscribers of the one big conversation (fan-out, latency, RSS). */
  subscribers: number
  /** Conversations of 10 subscribers each (fan-out over many conversations). */
  smallConversations: number
  /** Members of the busy conversation whose members all hold inboxEvents. */
  inboxMembers: number
  /** Length of each throughput run. */
  durationMs: number
  /** Messages per latency run (at most; fewer when the rate is high and the run would be long). */
  latencyMessages: number
  workers: number
  only: string[] | undefined
}

export interface World {
  admin: string
  /** The users who send; senders[0] created every conversation and sends the fan-out messages. */
  senders: User[]
  /** Receivers: users who only hold sockets. */
  receivers: User[]
  /** Conversations of all senders, for sends over many conversations. */
  spread: string[]
  hot: string
  big: string
  small: string[]
  mid: string
  inbox: string
}

export interface Row {
  figure: string
  value: number
  unit: string
  baseline: number | undefined
  baselineLabel: string
  /** value ÷ baseline; the target says which way is better. */
  ratio: number | undefined
  target: string
}

export interface Bench {
  options: Options
  api: Api
  server: ServerProcess
  raw: RawWs
  rawSchema: RawSchema
  db: Database
  pool: WorkerPool
  world: World
  rows: Row[]
  /** Details for the JSON line. */
  details: Record<string, unknown>
  /** Measured along the way, used by later scenarios. */
  measured: {
    hotSendsPerSec?: number
    fanoutPerSec?: number
    sqlPerSend?: number
    /** SQL statements per event for its fan-out (the send's own statements taken out), per fan-out layout. */
    sqlPerEvent?: Partial<Record<'big' | 'small', { members: number; perEvent: number; perDelivery: number }>>
  }
}
