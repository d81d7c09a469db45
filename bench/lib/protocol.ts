// Messages between the orchestrator (bench/run.ts) and the load-generating worker processes (worker.ts).

export interface SocketSpec {
  /** Unique per socket within a run, e.g. "fan:17". */
  key: string
  token: string
  query: string
  variables?: Record<string, unknown>
  /** The field each `next` frame is scanned for: "seq" (conversationEvents) or "lastSeq" (inboxEvents). */
  seqField: 'seq' | 'lastSeq'
}

export interface SenderSpec {
  token: string
  /** Conversations this sender cycles through. */
  conversations: string[]
}

export type WorkerCommand =
  | { cmd: 'open'; url: string; group: string; sockets: SocketSpec[] }
  | { cmd: 'mark'; group: string }
  | { cmd: 'collect'; group: string }
  | { cmd: 'reached'; group: string; seq: number }
  | { cmd: 'sample'; group: string }
  | { cmd: 'close'; group: string }
  | { cmd: 'sends'; url: string; senders: SenderSpec[]; durationMs: number; tag: string }
  | { cmd: 'rawpg'; databaseUrl: string; table: string; senders: SenderSpec[]; durationMs: number; tag: string }

export interface SocketRecord {
  key: string
  seqs: number[]
  /** Arrival time of each seq (ms since the epoch, sub-ms resolution). */
  times: number[]
  errors: string[]
}

export interface SendsResult {
  count: number
  latencies: number[]
  /** Seqs answered, per conversation. */
  seqs: Record<string, number[]>
  firstStart: number
  lastEnd: number
}

/** Unsolicited: the worker's count of `next` frames since the last mark of any group. */
export interface ProgressMessage {
  type: 'progress'
  delivered: number
}

export interface Reply {
  id: number
  ok: boolean
  result?: unknown
  error?: string
}
