// Fan-out deliveries/s: (a) one conversation followed by `--subscribers` sockets, (b) many conversations
// of 10 sockets each; each against the raw ws baseline (a plain ws server writing one pre-serialized frame
// of the same size to the same sockets, received by the same workers). While the sockets of (a) are open:
// send→deliver latency for that many members; with (b): latency for 10. Also SQL statements per event
// for its fan-out, from the server's /metrics.
import { percentiles, round } from '../lib/common.js'
import type { Bench } from '../lib/context.js'
import { closeGroup, openGroup, rawSender, sampleFrame, serverSender, type Group, type Target } from '../lib/groups.js'
import { throughputRun } from '../lib/runs.js'
import { verify } from '../lib/verify.js'
import { leanClient } from '../lib/http.js'
import { halfSaturationRate, latencyCount, latencyRow, latencyRun } from './latency.js'

interface Layout {
  name: string
  sockets: Array<{ userIndex: number; conversation: string }>
  targets: Target[]
  latencyTarget: Target
}

function bigLayout(b: Bench): Layout {
  const n = b.options.subscribers
  const conversation = b.world.big
  return {
    name: `1 conversation × ${n} subscribers`,
    sockets: Array.from({ length: n }, (_, i) => ({ userIndex: i, conversation })),
    targets: [{ conversation, members: n }],
    latencyTarget: { conversation, members: n },
  }
}

function smallLayout(b: Bench): Layout {
  const sockets = b.world.small.flatMap((conversation, k) =>
    Array.from({ length: 10 }, (_, j) => ({ userIndex: k * 10 + j, conversation })),
  )
  const targets = b.world.small.map((conversation) => ({ conversation, members: 10 }))
  return { name: `${b.world.small.length} conversations × 10 subscribers`, sockets, targets, latencyTarget: targets[0]! }
}

async function phase(b: Bench, layout: Layout, on: 'server' | 'raw', latencyMembers: number) {
  const group: Group = await openGroup(b, {
    name: `${on}-${layout.targets.length}x${layout.targets[0]!.members}`,
    on,
    sockets: layout.sockets,
  })
  const client = leanClient(b.server.graphqlUrl, 16)
  try {
    if (on === 'server') {
      const frame = await sampleFrame(b, group)
      await b.raw.template(frame, 'seq')
      ;((b.details.frames ??= {}) as Record<string, number>)[layout.name] = Buffer.byteLength(frame)
    }
    const label = `fan-out ${layout.name} (${on})`
    const before = on === 'server' ? await b.server.dbQueries() : 0
    const run = await throughputRun(b, group, {
      targets: layout.targets,
      send: on === 'server' ? serverSender(b, client) : rawSender(b, false),
      durationMs: b.options.durationMs,
      label,
    })
    const sql = on === 'server' ? (await b.server.dbQueries()) - before : undefined
    const latency = percentiles(await verify(b, group, run, { label }))
    if (on === 'server' && layout.targets.length === 1) b.measured.fanoutPerSec = run.perSec
    const rate = halfSaturationRate(b, latencyMembers)
    const lat = await latencyRun(b, group, on, layout.latencyTarget, rate, latencyCount(b, rate))
    return {
      perSec: run.perSec,
      messages: run.sent.length,
      deliveries: run.deliveries,
      closedLoopLatency: latency,
      sqlPerMessage: sql === undefined ? undefined : sql / run.sent.length,
      sqlPerDelivery: sql === undefined ? undefined : Math.max(0, sql - run.sent.length * (b.measured.sqlPerSend ?? 0)) / run.deliveries,
      sqlPerEvent: sql === undefined ? undefined : Math.max(0, sql - run.sent.length * (b.measured.sqlPerSend ?? 0)) / run.sent.length,
      lat,
    }
  } finally {
    client.close()
    await closeGroup(b, group)
  }
}

export async function fanoutScenario(b: Bench, which: 'big' | 'small') {
  const layout = which === 'big' ? bigLayout(b) : smallLayout(b)
  await b.rawSchema.addConversations(layout.targets.map((t) => t.conversation))
  const server = await phase(b, layout, 'server', layout.latencyTarget.members)
  const raw = await phase(b, layout, 'raw', layout.latencyTarget.members)
  b.rows.push({
    figure: `fan-out deliveries/s, ${layout.name}`,
    value: round(server.perSec),
    unit: '/s',
    baseline: round(raw.perSec),
    baselineLabel: 'raw ws',
    ratio: server.perSec / raw.perSec,
    target: which === 'big' ? '≥ 1.0× goal, ≥ 0.3× must' : '≥ 0.3× must',
  })
  ;(b.measured.sqlPerEvent ??= {})[which] = {
    members: layout.targets[0]!.members,
    perEvent: server.sqlPerEvent!,
    perDelivery: server.sqlPerDelivery!,
  }
  latencyRow(b, layout.latencyTarget.members, server.lat, raw.lat)
  ;((b.details.fanout ??= {}) as Record<string, unknown>)[layout.name] = { server, raw }
}
