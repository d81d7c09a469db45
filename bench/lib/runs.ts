// Pushing messages through an open group: closed loop with bounded deliveries outstanding (throughput),
// or open loop at a fixed rate (latency); both wait until everything is delivered, then a little longer.
import { BenchFailure, now, progress, sleep } from './common.js'
import type { SocketRecord } from './protocol.js'
import type { Bench } from './context.js'
import { mark, type Group, type Sender, type Sent, type Target } from './groups.js'

function waiter(b: Bench) {
  let wake: (() => void) | undefined
  const kick = () => {
    const w = wake
    wake = undefined
    w?.()
  }
  const state = { lastProgressAt: now() }
  b.pool.onProgress = () => {
    state.lastProgressAt = now()
    kick()
  }
  return {
    state,
    /** After the expected deliveries: waits until nothing more arrives for 300 ms (so a duplicate or a late extra is seen). */
    linger: async () => {
      for (let seen = -1; seen !== b.pool.delivered();) {
        seen = b.pool.delivered()
        await sleep(300)
      }
      b.pool.onProgress = undefined
    },
    kick,
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve
        setTimeout(kick, ms)
      }),
  }
}

export interface RunResult {
  sent: Sent[]
  deliveries: number
  elapsedMs: number
  perSec: number
}

/**
 * Closed loop for `durationMs`: messages go round-robin to the targets while fewer than `cap` deliveries are
 * outstanding (so a slow server is measured, not flooded); then waits until everything is delivered.
 * deliveries/s = deliveries ÷ (first send → last delivery).
 */
export async function throughputRun(
  b: Bench,
  group: Group,
  opts: {
    targets: Target[]
    send: Sender
    durationMs: number
    maxSends?: number
    label: string
    resync?: (lastSeqs: Map<string, number>) => Promise<boolean>
  },
): Promise<RunResult> {
  await mark(b, group)
  const { kick, wait, linger, state } = waiter(b)
  // Outstanding deliveries allowed: two messages' worth (at least 500), or 100 ms at the rate seen so far,
  // whichever is more; enough to keep a fast target busy, little enough that a slow one drains quickly.
  const maxMembers = Math.max(...opts.targets.map((t) => t.members))
  const baseCap = Math.max(2 * maxMembers, 500)
  const capNow = () => {
    const elapsed = now() - start
    return elapsed < 200 ? baseCap : Math.max(baseCap, (b.pool.delivered() / elapsed) * 100)
  }
  const maxSends = opts.maxSends ?? 16
  const sent: Sent[] = []
  const lastSeqs = new Map<string, number>()
  let expected = 0
  let inFlight = 0
  let failure: unknown
  const start = now()
  const end = start + opts.durationMs
  let stalledSince = 0
  let i = 0
  const fire = (t: Target) => {
    expected += t.members
    inFlight++
    const t0 = now()
    opts.send(t.conversation).then(
      (seq) => {
        sent.push({ conversation: t.conversation, seq, t0 })
        lastSeqs.set(t.conversation, Math.max(seq, lastSeqs.get(t.conversation) ?? 0))
        inFlight--
        kick()
      },
      (e: unknown) => {
        failure ??= e
        inFlight--
        kick()
      },
    )
  }
  let lastShown = 0
  const show = () => {
    if (now() - lastShown < 500) return
    lastShown = now()
    progress(
      `${opts.label}: ${sent.length} sent, ${b.pool.delivered()}/${expected} delivered, ${Math.round((b.pool.delivered() / (now() - start)) * 1000)}/s`,
    )
  }
  const resync = async () => {
    // inboxEvents may coalesce: when every socket has the latest state, nothing more is coming.
    if (opts.resync && inFlight === 0 && now() - stalledSince > 250 && (await opts.resync(lastSeqs))) expected = b.pool.delivered()
  }
  while (now() < end) {
    if (failure) throw failure
    show()
    const t = opts.targets[i % opts.targets.length]!
    if (inFlight >= maxSends || expected - b.pool.delivered() + t.members > capNow()) {
      if (!stalledSince) stalledSince = now()
      await wait(50)
      await resync()
      continue
    }
    stalledSince = 0
    i++
    fire(t)
  }
  const drainDeadline = now() + Math.max(30_000, opts.durationMs * 10)
  stalledSince = now()
  while (inFlight > 0 || b.pool.delivered() < expected) {
    if (failure) throw failure
    if (now() > drainDeadline)
      throw new BenchFailure(
        `${opts.label}: only ${b.pool.delivered()} of ${expected} deliveries arrived within the drain time; ${await diagnose(b, group, sent)}`,
      )
    show()
    await wait(100)
    await resync()
  }
  await linger()
  const elapsedMs = state.lastProgressAt - start
  const deliveries = b.pool.delivered()
  return { sent, deliveries, elapsedMs, perSec: (deliveries / elapsedMs) * 1000 }
}

/** What the sockets of a stalled run got, for the failure message. */
async function diagnose(b: Bench, group: Group, sent: Sent[]): Promise<string> {
  const records = (await b.pool.all<SocketRecord[]>(() => ({ cmd: 'collect', group: group.name }))).flat()
  const withErrors = records.filter((r) => r.errors.length)
  const short = records.filter((r) => r.seqs.length < sent.filter((s) => s.conversation === group.conversationOf.get(r.key)).length)
  const first = short[0]
  return (
    `${withErrors.length} socket(s) reported errors${withErrors[0] ? ` (${withErrors[0].key}: ${withErrors[0].errors.slice(0, 2).join(' | ')})` : ''}; ` +
    `${short.length} socket(s) are short${
      first
        ? `, e.g. ${first.key} has seqs ${JSON.stringify(first.seqs.slice(-20))} of sent ${JSON.stringify(
            sent
              .filter((s) => s.conversation === group.conversationOf.get(first.key))
              .map((s) => s.seq)
              .sort((x, y) => x - y)
              .slice(-20),
          )}`
        : ''
    }`
  )
}

/** Open loop: `count` messages into one conversation at `rate` per second, then waits for every delivery. */
export async function pacedRun(
  b: Bench,
  group: Group,
  opts: { target: Target; send: Sender; rate: number; count: number; label: string },
): Promise<RunResult> {
  await mark(b, group)
  const { kick, wait, linger, state } = waiter(b)
  const sent: Sent[] = []
  let failure: unknown
  let inFlight = 0
  const start = now()
  for (let i = 0; i < opts.count; i++) {
    const due = start + (i / opts.rate) * 1000
    while (now() < due) await sleep(Math.min(due - now(), 50))
    if (failure) throw failure
    progress(`${opts.label}: ${i + 1}/${opts.count} sent at ${Math.round(opts.rate * 10) / 10}/s, ${b.pool.delivered()} delivered`)
    inFlight++
    const t0 = now()
    opts.send(opts.target.conversation).then(
      (seq) => {
        sent.push({ conversation: opts.target.conversation, seq, t0 })
        inFlight--
        kick()
      },
      (e: unknown) => {
        failure ??= e
        inFlight--
        kick()
      },
    )
  }
  const expected = opts.count * opts.target.members
  const deadline = now() + 120_000
  while (inFlight > 0 || b.pool.delivered() < expected) {
    if (failure) throw failure
    if (now() > deadline) throw new BenchFailure(`${opts.label}: only ${b.pool.delivered()} of ${expected} deliveries arrived`)
    await wait(100)
  }
  await linger()
  const elapsedMs = state.lastProgressAt - start
  return { sent, deliveries: b.pool.delivered(), elapsedMs, perSec: (b.pool.delivered() / elapsedMs) * 1000 }
}
