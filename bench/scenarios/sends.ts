// Durable sends/s: 1 sender and 8 senders over many conversations, 8 senders into one hot conversation;
// each against the raw pg baseline (the same durable write as one statement, from the same number of
// clients, into the same conversations). Also: SQL statements per send, from the server's /metrics.
import { BenchFailure, percentiles, progress, round } from '../lib/common.js'
import type { Bench } from '../lib/context.js'
import type { SendsResult, SenderSpec } from '../lib/protocol.js'
import { split } from '../lib/workers.js'

interface Case {
  name: string
  senders: number
  hot: boolean
  target: string
}

export async function sendsScenario(b: Bench) {
  const cases: Case[] = [
    { name: '1 sender, many conversations', senders: 1, hot: false, target: '≥ 0.2× must' },
    { name: '8 senders, many conversations', senders: 8, hot: false, target: '≥ 0.5× goal, ≥ 0.2× must' },
    { name: '8 senders, one hot conversation', senders: 8, hot: true, target: '—' },
  ]
  await b.rawSchema.addConversations([...b.world.spread, b.world.hot])
  const details: Record<string, unknown> = {}
  for (const c of cases) {
    const specs: SenderSpec[] = b.world.senders.slice(0, c.senders).map((u, i) => ({
      token: u.token,
      // Sender i starts at conversation i so that concurrent senders rarely meet on one row.
      conversations: c.hot ? [b.world.hot] : b.world.spread.map((_, k) => b.world.spread[(k + i * 3) % b.world.spread.length]!),
    }))
    const parts = split(specs, Math.min(b.pool.workers.length, specs.length))
    const closedLoop = (kind: 'raw' | 'server', durationMs: number, tag: string) =>
      b.pool.all<SendsResult>((w) =>
        parts[w.index]?.length
          ? kind === 'raw'
            ? { cmd: 'rawpg', databaseUrl: b.db.url, table: b.rawSchema.schema, senders: parts[w.index]!, durationMs, tag }
            : { cmd: 'sends', url: b.server.graphqlUrl, senders: parts[w.index]!, durationMs, tag }
          : undefined,
      )
    const run = async (
      kind: 'raw' | 'server',
    ): Promise<{ perSec: number; latency: ReturnType<typeof percentiles>; count: number; sql?: number }> => {
      const tag = `${c.senders}${c.hot ? 'h' : 'm'}`
      progress(`sends: ${c.name}, ${kind === 'raw' ? 'raw pg' : 'server'}: warm-up, then ${b.options.durationMs / 1000} s…`)
      await closedLoop(kind, 300, `${tag}w`) // not measured: connections, prepared statements, JIT
      const before = kind === 'server' ? await b.server.dbQueries() : 0
      const results = await closedLoop(kind, b.options.durationMs, tag)
      const sql = kind === 'server' ? (await b.server.dbQueries()) - before : undefined
      checkGapFree(results, `${c.name} (${kind})`)
      const count = results.reduce((n, r) => n + r.count, 0)
      const wall = Math.max(...results.map((r) => r.lastEnd)) - Math.min(...results.map((r) => r.firstStart))
      return {
        perSec: (count / wall) * 1000,
        latency: percentiles(results.flatMap((r) => r.latencies)),
        count,
        ...(sql !== undefined && { sql: sql / count }),
      }
    }
    const raw = await run('raw')
    const server = await run('server')
    if (c.hot) b.measured.hotSendsPerSec = server.perSec
    if (c.senders === 8 && !c.hot) b.measured.sqlPerSend = server.sql
    b.rows.push({
      figure: `durable sends/s, ${c.name} (p50 ${server.latency.p50} ms)`,
      value: round(server.perSec),
      unit: '/s',
      baseline: round(raw.perSec),
      baselineLabel: 'raw pg',
      ratio: server.perSec / raw.perSec,
      target: c.target,
    })
    if (c.senders === 8 && !c.hot)
      b.rows.push({
        figure: 'SQL statements per send (8 senders)',
        value: round(server.sql!, 2),
        unit: '',
        baseline: 1,
        baselineLabel: 'raw pg (1 statement)',
        ratio: server.sql!,
        target: '≤ 2 round trips (part 2)',
      })
    details[c.name] = { server, raw: { ...raw } }
  }
  b.details.sends = details
}

/** The seqs answered in each conversation are distinct and contiguous: no gap, no duplicate. */
function checkGapFree(results: SendsResult[], label: string) {
  const all = new Map<string, number[]>()
  for (const r of results) for (const [c, seqs] of Object.entries(r.seqs)) all.set(c, [...(all.get(c) ?? []), ...seqs])
  for (const [c, seqs] of all) {
    seqs.sort((a, b) => a - b)
    for (let i = 1; i < seqs.length; i++)
      if (seqs[i] !== seqs[i - 1]! + 1)
        throw new BenchFailure(`${label}: ${c} answered seqs ${seqs[i - 1]} then ${seqs[i]} (gap or duplicate)`)
  }
  if (!all.size) throw new BenchFailure(`${label}: no send completed`)
}
