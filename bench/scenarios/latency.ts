// Send→deliver latency at about half saturation: messages into one conversation of M members at
// rate = min(½ × the fan-out deliveries/s measured earlier in the run ÷ M, ½ × the hot-conversation sends/s).
// The raw baseline runs at the same rate: the raw pg write, then the raw ws broadcast of the seq it allocated.
import { percentiles } from '../lib/common.js'
import type { Bench } from '../lib/context.js'
import { rawSender, serverSender, type Group, type Target } from '../lib/groups.js'
import { pacedRun } from '../lib/runs.js'
import { verify } from '../lib/verify.js'
import { leanClient } from '../lib/http.js'

export function halfSaturationRate(b: Bench, members: number): number {
  const fanout = b.measured.fanoutPerSec ?? 1000
  const sends = b.measured.hotSendsPerSec ?? 100
  return Math.min(fanout / 2 / members, sends / 2)
}

/** About 2 s (quick) or 4 s of messages, at least 3 (a slow server's big conversation: one every few seconds). */
export function latencyCount(b: Bench, rate: number): number {
  const seconds = b.options.quick ? 2 : 4
  return Math.max(3, Math.min(b.options.latencyMessages, Math.round(rate * seconds)))
}

export interface LatencyResult {
  rate: number
  count: number
  p50: number
  p99: number
  max: number
  sqlPerDelivery?: number
}

/** One paced run on an open group (server or raw), verified; returns the latency percentiles. */
export async function latencyRun(
  b: Bench,
  group: Group,
  on: 'server' | 'raw',
  target: Target,
  rate: number,
  count: number,
): Promise<LatencyResult> {
  const label = `latency ${target.members} members (${on})`
  const client = leanClient(b.server.graphqlUrl, 16)
  try {
    const before = on === 'server' ? await b.server.dbQueries() : 0
    const run = await pacedRun(b, group, {
      target,
      send: on === 'server' ? serverSender(b, client) : rawSender(b, true),
      rate,
      count,
      label,
    })
    const sql = on === 'server' ? (await b.server.dbQueries()) - before : undefined
    const p = percentiles(await verify(b, group, run, { label }))
    const sqlPerDelivery = sql === undefined ? undefined : Math.max(0, sql - count * (b.measured.sqlPerSend ?? 0)) / run.deliveries
    return { rate, count, p50: p.p50, p99: p.p99, max: p.max, ...(sqlPerDelivery !== undefined && { sqlPerDelivery }) }
  } finally {
    client.close()
  }
}

export function latencyRow(b: Bench, members: number, server: LatencyResult, raw: LatencyResult) {
  b.rows.push({
    figure: `send→deliver p99, ${members} members @ ${Number(server.rate.toPrecision(2))} msg/s (p50 ${server.p50} ms; raw p50 ${raw.p50} ms)`,
    value: server.p99,
    unit: 'ms',
    baseline: raw.p99,
    baselineLabel: 'raw pg write + raw ws broadcast',
    ratio: server.p99 / raw.p99,
    target: members === 100 ? '≤ 3× goal' : '—',
  })
  ;((b.details.latency ??= {}) as Record<string, unknown>)[`${members}`] = { server, raw }
}
