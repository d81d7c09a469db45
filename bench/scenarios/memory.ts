// RSS per subscribed connection, measured first (right after seeding, while the server holds little else):
// `--subscribers` sockets on the big conversation open in two halves; (RSS with all − RSS with the first
// half) ÷ the second half, each read after a rest and full GCs until steady. The V8 heap in use (from
// /metrics) is given beside it, being steadier than RSS. Baseline: the raw ws process, measured the same way.
import { round } from '../lib/common.js'
import type { Bench } from '../lib/context.js'
import { closeGroup, openGroup } from '../lib/groups.js'

export async function memoryScenario(b: Bench) {
  const n = b.options.subscribers
  const sockets = Array.from({ length: n }, (_, i) => ({ userIndex: i, conversation: b.world.big }))
  const measured: Record<string, { rss: number; heap: number }> = {}
  for (const on of ['server', 'raw'] as const) {
    const group = await openGroup(b, { name: `${on}-memory`, on, sockets, measureRss: true })
    measured[on] = { rss: group.rssPerSocket!, heap: group.heapPerSocket! }
    await closeGroup(b, group)
  }
  const kb = (bytes: number) => round(bytes / 1024, 1)
  const server = measured.server!
  const raw = measured.raw!
  b.rows.push({
    figure: `server RSS per subscribed connection (${n} sockets; V8 heap ${kb(server.heap)} KB, raw ${kb(raw.heap)} KB)`,
    value: kb(server.rss),
    unit: 'KB',
    baseline: kb(raw.rss),
    baselineLabel: 'raw ws process',
    ratio: server.rss / raw.rss,
    target: '≤ 15 KB goal, ≤ 25 KB must (absolute)',
  })
  b.details.memory = measured
}
