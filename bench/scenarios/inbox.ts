// inboxEvents fan-out: every member of a busy conversation holds an `inboxEvents` subscription (selecting
// reason, conversationId and conversation { lastSeq }); messages go into that conversation as in the
// fan-out runs. Checked: each socket gets at most one event per message, its lastSeq never goes back and
// ends with the last message (inbox events of one conversation may coalesce for a slow client, by design;
// how many did is reported).
// Baseline: the raw ws server writing a frame of the same size to the same number of sockets.
import { BenchFailure, round } from '../lib/common.js'
import type { Bench } from '../lib/context.js'
import { closeGroup, openGroup, rawSender, sampleFrame, serverSender, type Target } from '../lib/groups.js'
import { throughputRun } from '../lib/runs.js'
import { verify } from '../lib/verify.js'
import { leanClient } from '../lib/http.js'

export async function inboxScenario(b: Bench) {
  const members = b.options.inboxMembers
  const results: Record<string, { perSec: number; messages: number; deliveries: number; coalesced: number; sqlPerDelivery?: number }> = {}
  for (const on of ['server', 'raw'] as const) {
    const conversation = on === 'server' ? b.world.inbox : 'inbox'
    const target: Target = { conversation, members }
    const group = await openGroup(b, {
      name: `${on}-inbox`,
      on,
      inbox: true,
      sockets: Array.from({ length: members }, (_, i) => ({ userIndex: i, conversation })),
    })
    const client = leanClient(b.server.graphqlUrl, 16)
    try {
      if (on === 'server') await b.raw.template(await sampleFrame(b, group), 'lastSeq')
      const label = `inboxEvents ${members} members (${on})`
      const before = on === 'server' ? await b.server.dbQueries() : 0
      const run = await throughputRun(b, group, {
        targets: [target],
        send: on === 'server' ? serverSender(b, client) : rawSender(b, false),
        durationMs: b.options.durationMs,
        label,
        resync: async (lastSeqs) => {
          const last = lastSeqs.get(conversation)
          if (last === undefined) return false
          const reached = await b.pool.all<number>(() => ({ cmd: 'reached', group: group.name, seq: last }))
          return reached.reduce((a, n) => a + n, 0) === members
        },
      })
      const sql = on === 'server' ? (await b.server.dbQueries()) - before : undefined
      await verify(b, group, run, { label, inbox: true })
      if (!run.deliveries) throw new BenchFailure(`${label}: nothing delivered`)
      results[on] = {
        perSec: run.perSec,
        messages: run.sent.length,
        deliveries: run.deliveries,
        coalesced: run.sent.length * members - run.deliveries,
        ...(sql !== undefined && { sqlPerDelivery: Math.max(0, sql - run.sent.length * (b.measured.sqlPerSend ?? 0)) / run.deliveries }),
      }
    } finally {
      client.close()
      await closeGroup(b, group)
    }
  }
  const server = results.server!
  const raw = results.raw!
  b.rows.push({
    figure: `inboxEvents deliveries/s, ${members} members (${server.coalesced} coalesced; ${round(server.sqlPerDelivery ?? NaN, 2)} SQL/delivery)`,
    value: round(server.perSec),
    unit: '/s',
    baseline: round(raw.perSec),
    baselineLabel: 'raw ws',
    ratio: server.perSec / raw.perSec,
    target: '—',
  })
  b.details.inbox = results
}
