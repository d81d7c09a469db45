// The raw ws baseline, run in its own process (forked by raw-ws.ts): a plain `ws` server that answers the
// graphql-transport-ws handshake, remembers each socket under its subscription's conversationId (or
// "inbox"), and on command writes one pre-serialized frame (a real `next` frame of the server, with only the
// seq replaced) to every socket of a key. With `write`, it first does the raw pg durable send (raw-sql.ts)
// and broadcasts the seq that statement allocated.
import { WebSocketServer, type WebSocket } from 'ws'
import pg from 'pg'
import { rawInsertSql } from './raw-sql.js'
import type { Reply } from './protocol.js'

type Command =
  | { cmd: 'listen' }
  | { cmd: 'heap' }
  | { cmd: 'count'; key: string }
  | { cmd: 'template'; frame: string; field: 'seq' | 'lastSeq' }
  | { cmd: 'broadcast'; key: string; write?: { databaseUrl: string; schema: string } }

const sockets = new Map<string, Set<WebSocket>>()
const counters = new Map<string, number>()
let prefix = ''
let suffix = ''
let db: pg.Client | undefined

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false })
wss.on('connection', (ws) => {
  let key: string | undefined
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString('utf8')) as { type: string; payload?: { variables?: { c?: string } } }
    if (m.type === 'connection_init') ws.send('{"type":"connection_ack"}')
    else if (m.type === 'subscribe') {
      key = m.payload?.variables?.c ?? 'inbox'
      let set = sockets.get(key)
      if (!set) sockets.set(key, (set = new Set()))
      set.add(ws)
    } else if (m.type === 'ping') ws.send('{"type":"pong"}')
  })
  ws.on('close', () => key && sockets.get(key)?.delete(ws))
})

async function handle(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'listen':
      await new Promise<void>((resolve) => (wss.address() ? resolve() : wss.once('listening', () => resolve())))
      return (wss.address() as { port: number }).port
    case 'heap':
      ;(globalThis as { gc?: () => void }).gc?.()
      return process.memoryUsage().heapUsed
    case 'count':
      return sockets.get(c.key)?.size ?? 0
    case 'template': {
      const m = new RegExp(`"${c.field}":\\d+`).exec(c.frame)
      if (!m) throw new Error(`no ${c.field} in the template frame`)
      prefix = c.frame.slice(0, m.index + c.field.length + 3)
      suffix = c.frame.slice(m.index + m[0].length)
      return c.frame.length
    }
    case 'broadcast': {
      let seq: number
      if (c.write) {
        if (!db) {
          db = new pg.Client({ connectionString: c.write.databaseUrl })
          db.on('error', () => {})
          await db.connect()
        }
        const r = await db.query({
          name: 'bench-raw-send',
          text: rawInsertSql(c.write.schema),
          values: [c.key, 'raw-ws', `${Date.now()}-${Math.random()}`, 'bench message'],
        })
        seq = Number(r.rows[0].seq)
      } else {
        seq = (counters.get(c.key) ?? 0) + 1
        counters.set(c.key, seq)
      }
      const frame = prefix + seq + suffix // serialized once, written to every socket
      for (const ws of sockets.get(c.key) ?? []) ws.send(frame)
      return seq
    }
  }
}

process.on('message', (m: { id: number } & Command) => {
  handle(m).then(
    (result) => process.send!({ id: m.id, ok: true, result } satisfies Reply),
    (e: unknown) => process.send!({ id: m.id, ok: false, error: String((e as Error)?.message ?? e) } satisfies Reply),
  )
})
process.on('disconnect', () => process.exit(0))
