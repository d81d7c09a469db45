// Send→deliver latency for a 100-member conversation (the latency target), server and raw baseline.
import type { Bench } from '../lib/context.js'
import { closeGroup, openGroup, type Target } from '../lib/groups.js'
import { halfSaturationRate, latencyCount, latencyRow, latencyRun, type LatencyResult } from './latency.js'

export async function latency100Scenario(b: Bench) {
  const members = 100
  const target: Target = { conversation: b.world.mid, members }
  await b.rawSchema.addConversations([b.world.mid])
  const rate = halfSaturationRate(b, members)
  const count = latencyCount(b, rate)
  const results: Partial<Record<'server' | 'raw', LatencyResult>> = {}
  for (const on of ['server', 'raw'] as const) {
    const group = await openGroup(b, {
      name: `${on}-mid`,
      on,
      sockets: Array.from({ length: members }, (_, i) => ({ userIndex: i, conversation: b.world.mid })),
    })
    try {
      results[on] = await latencyRun(b, group, on, target, rate, count)
    } finally {
      await closeGroup(b, group)
    }
  }
  latencyRow(b, members, results.server!, results.raw!)
}
