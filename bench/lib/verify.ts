// The delivery check of every run.
import { BenchFailure } from './common.js'
import type { SocketRecord } from './protocol.js'
import type { Bench } from './context.js'
import type { Group, Sent } from './groups.js'
import type { RunResult } from './runs.js'

/**
 * Every socket got exactly the seqs sent to its conversation during the run, each once, in order (for
 * inboxEvents, which coalesce by design and carry the conversation's current lastSeq: at most one event per
 * message, lastSeq never going back, ending with the last one).
 * Returns the send→deliver latencies (ms) of every delivery.
 */
export async function verify(b: Bench, group: Group, run: RunResult, opts: { inbox?: boolean; label: string }): Promise<number[]> {
  const records = (await b.pool.all<SocketRecord[]>(() => ({ cmd: 'collect', group: group.name }))).flat()
  if (records.length !== group.sockets)
    throw new BenchFailure(`${opts.label}: ${records.length} sockets reported, expected ${group.sockets}`)
  const byConversation = new Map<string, Sent[]>()
  for (const s of run.sent) {
    let list = byConversation.get(s.conversation)
    if (!list) byConversation.set(s.conversation, (list = []))
    list.push(s)
  }
  const t0Of = new Map<string, Map<number, number>>()
  for (const [c, list] of byConversation) {
    list.sort((x, y) => x.seq - y.seq)
    for (let i = 1; i < list.length; i++)
      if (list[i]!.seq === list[i - 1]!.seq) throw new BenchFailure(`${opts.label}: seq ${list[i]!.seq} was answered to two sends in ${c}`)
    t0Of.set(c, new Map(list.map((s) => [s.seq, s.t0])))
  }
  const latencies: number[] = []
  let checked = 0
  for (const r of records) {
    if (r.errors.length) throw new BenchFailure(`${opts.label}: socket ${r.key}: ${r.errors.slice(0, 3).join(' | ')}`)
    const conversation = group.conversationOf.get(r.key)!
    const expected = (byConversation.get(conversation) ?? []).map((s) => s.seq)
    const t0s = t0Of.get(conversation) ?? new Map<number, number>()
    if (opts.inbox) {
      // An inbox event carries no seq: `conversation { lastSeq }` is the state when it was resolved, so two
      // events may show the same lastSeq; never one going back, never more events than messages.
      const ok =
        r.seqs.every((seq, i) => t0s.has(seq) && (i === 0 || seq >= r.seqs[i - 1]!)) &&
        r.seqs.at(-1) === expected.at(-1) &&
        r.seqs.length <= expected.length
      if (!ok)
        throw new BenchFailure(
          `${opts.label}: socket ${r.key} saw lastSeq ${JSON.stringify(r.seqs.slice(0, 20))}…, expected at most ${expected.length} events with a non-decreasing lastSeq from ${expected[0]}..${expected.at(-1)} ending with the last`,
        )
    } else if (r.seqs.length !== expected.length || r.seqs.some((seq, i) => seq !== expected[i])) {
      const got = new Set(r.seqs)
      const missing = expected.filter((s) => !got.has(s))
      throw new BenchFailure(
        `${opts.label}: socket ${r.key} got ${r.seqs.length} events, expected ${expected.length} (seqs ${expected[0]}..${expected.at(-1)}) exactly once in order; ` +
          `missing ${JSON.stringify(missing.slice(0, 10))}, got ${JSON.stringify(r.seqs.slice(0, 10))}…`,
      )
    }
    if (!opts.inbox) r.seqs.forEach((seq, i) => latencies.push(r.times[i]! - t0s.get(seq)!))
    checked += r.seqs.length
  }
  if (checked !== run.deliveries)
    throw new BenchFailure(`${opts.label}: workers counted ${run.deliveries} deliveries, sockets recorded ${checked}`)
  return latencies
}
