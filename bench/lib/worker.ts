// A load-generating worker process (forked by workers.ts). It holds subscriber sockets speaking
// graphql-transport-ws by hand (only the seq of each `next` frame is extracted, no JSON.parse), and runs
// closed-loop senders (GraphQL over HTTP, or the raw pg statement). Commands arrive over IPC.
import WebSocket from 'ws'
import pg from 'pg'
import { now } from './common.js'
import { leanClient, sendBody, seqOf } from './http.js'
import { rawInsertSql } from './raw-sql.js'
import type { ProgressMessage, Reply, SendsResult, SenderSpec, SocketRecord, SocketSpec, WorkerCommand } from './protocol.js'

interface Sub {
  spec: SocketSpec
  ws: WebSocket
  group: string
  seqs: number[]
  times: number[]
  errors: string[]
  first?: string
  needle: Buffer
}

const groups = new Map<string, Sub[]>()
let delivered = 0
let reportPending = false
const NEXT = Buffer.from('"type":"next"')
const ERRORS = Buffer.from('"errors"')

function report() {
  reportPending = false
  process.send!({ type: 'progress', delivered } satisfies ProgressMessage)
}

function onFrame(sub: Sub, data: Buffer) {
  if (data.indexOf(NEXT) < 0) {
    const text = data.toString('utf8')
    if (text.includes('"type":"ping"')) sub.ws.send('{"type":"pong"}')
    else if (!text.includes('"type":"pong"')) sub.errors.push(text.slice(0, 300))
    return
  }
  const at = now()
  if (data.indexOf(ERRORS) >= 0) {
    sub.errors.push(data.toString('utf8').slice(0, 300))
    return
  }
  let i = data.indexOf(sub.needle)
  if (i < 0) {
    sub.errors.push(`no ${sub.spec.seqField} in ${data.toString('utf8').slice(0, 200)}`)
    return
  }
  i += sub.needle.length
  let seq = 0
  for (let c = data[i]!; c >= 48 && c <= 57; c = data[++i]!) seq = seq * 10 + (c - 48)
  sub.seqs.push(seq)
  sub.times.push(at)
  sub.first ??= data.toString('utf8')
  delivered++
  if (!reportPending) {
    reportPending = true
    setImmediate(report)
  }
}

function openOne(url: string, group: string, spec: SocketSpec): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false })
    const sub: Sub = { spec, ws, group, seqs: [], times: [], errors: [], needle: Buffer.from(`"${spec.seqField}":`) }
    let acked = false
    const timer = setTimeout(() => fail(new Error(`${spec.key}: no connection_ack within 60 s`)), 60_000)
    const fail = (e: Error) => {
      clearTimeout(timer)
      ws.terminate()
      reject(e)
    }
    ws.on('error', (e) => (acked ? sub.errors.push(`socket error: ${e.message}`) : fail(e)))
    ws.on('close', (code, reason) => {
      if (!acked) fail(new Error(`${spec.key}: closed ${code} ${reason.toString()} before connection_ack`))
      else if (!closing.has(ws)) sub.errors.push(`closed by the server: ${code} ${reason.toString()}`)
    })
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${spec.token}` } })))
    ws.on('message', (data: Buffer) => {
      if (acked) return onFrame(sub, data)
      const text = data.toString('utf8')
      if (!text.includes('"connection_ack"')) return fail(new Error(`${spec.key}: expected connection_ack, got ${text.slice(0, 200)}`))
      acked = true
      clearTimeout(timer)
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: spec.query, variables: spec.variables ?? {} } }))
      resolve(sub)
    })
  })
}

const closing = new WeakSet<WebSocket>()

async function open(url: string, group: string, specs: SocketSpec[]) {
  const list = groups.get(group) ?? []
  groups.set(group, list)
  let next = 0
  const worker = async () => {
    while (next < specs.length) list.push(await openOne(url, group, specs[next++]!))
  }
  await Promise.all(Array.from({ length: Math.min(25, specs.length) }, worker))
  return list.length
}

function mark(group: string) {
  for (const s of groups.get(group) ?? []) {
    s.seqs = []
    s.times = []
  }
  delivered = 0
}

const collect = (group: string): SocketRecord[] =>
  (groups.get(group) ?? []).map((s) => ({ key: s.spec.key, seqs: s.seqs, times: s.times, errors: s.errors }))

async function close(group: string) {
  const list = groups.get(group) ?? []
  groups.delete(group)
  await Promise.all(
    list.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.ws.readyState === WebSocket.CLOSED) return resolve()
          closing.add(s.ws)
          const t = setTimeout(() => {
            s.ws.terminate()
            resolve()
          }, 5000)
          s.ws.once('close', () => {
            clearTimeout(t)
            resolve()
          })
          s.ws.close(1000)
        }),
    ),
  )
}

async function closedLoop(
  senders: SenderSpec[],
  durationMs: number,
  sendOne: (sender: number, conversation: string, n: number) => Promise<number>,
): Promise<SendsResult> {
  const result: SendsResult = { count: 0, latencies: [], seqs: {}, firstStart: now(), lastEnd: 0 }
  const end = result.firstStart + durationMs
  await Promise.all(
    senders.map(async (sender, si) => {
      for (let n = 0; now() < end; n++) {
        const conversation = sender.conversations[n % sender.conversations.length]!
        const t0 = now()
        const seq = await sendOne(si, conversation, n)
        const t1 = now()
        result.latencies.push(t1 - t0)
        ;(result.seqs[conversation] ??= []).push(seq)
        result.count++
        result.lastEnd = Math.max(result.lastEnd, t1)
      }
    }),
  )
  return result
}

async function sends(url: string, senders: SenderSpec[], durationMs: number, tag: string) {
  const client = leanClient(url, senders.length)
  const id = `${process.pid}-${tag}`
  try {
    return await closedLoop(senders, durationMs, async (si, conversation, n) =>
      seqOf(await client.post(sendBody(conversation, `bench message ${n}`, `${id}-${si}-${n}`), senders[si]!.token)),
    )
  } finally {
    client.close()
  }
}

async function rawpg(databaseUrl: string, table: string, senders: SenderSpec[], durationMs: number, tag: string) {
  const clients = senders.map(() => new pg.Client({ connectionString: databaseUrl }).on('error', () => {}))
  await Promise.all(clients.map((c) => c.connect()))
  const sql = rawInsertSql(table)
  try {
    return await closedLoop(senders, durationMs, async (si, conversation, n) => {
      const r = await clients[si]!.query({
        name: 'bench-raw-send',
        text: sql,
        values: [conversation, `s${process.pid}-${si}`, `${tag}-${n}`, `bench message ${n}`],
      })
      return Number(r.rows[0].seq)
    })
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})))
  }
}

async function handle(c: WorkerCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'open':
      return open(c.url, c.group, c.sockets)
    case 'mark':
      return mark(c.group)
    case 'collect':
      return collect(c.group)
    case 'reached':
      return (groups.get(c.group) ?? []).filter((s) => (s.seqs.at(-1) ?? -1) >= c.seq).length
    case 'sample':
      return (groups.get(c.group) ?? []).find((s) => s.first)?.first
    case 'close':
      return close(c.group)
    case 'sends':
      return sends(c.url, c.senders, c.durationMs, c.tag)
    case 'rawpg':
      return rawpg(c.databaseUrl, c.table, c.senders, c.durationMs, c.tag)
  }
}

if (process.send) {
  process.on('message', (m: { id: number } & WorkerCommand) => {
    handle(m).then(
      (result) => process.send!({ id: m.id, ok: true, result } satisfies Reply),
      (e: unknown) => process.send!({ id: m.id, ok: false, error: String((e as Error)?.message ?? e) } satisfies Reply),
    )
  })
  process.on('disconnect', () => process.exit(0))
}
