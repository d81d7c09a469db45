// The conversation timeline: every change participants must see takes the next seq of its conversation,
// allocated by an UPDATE of the conversation row (which holds the row lock until commit) in the same
// transaction that writes the change and its ConversationEvent row. A rollback returns the seq, so the
// sequence is gap-free and duplicate-free across any number of server processes.
import { type Context, db } from '../../context.js'
import { TENANT_FROM_SCOPE, type TenantDb } from '../../db/tenant-scope.js'
import type { ConversationEventType } from '../../generated/prisma/enums.js'

export type Tx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0]

/** Options for interactive transactions: a burst of sends queues for connections and row locks. */
export const TX_OPTIONS = { maxWait: 15_000, timeout: 20_000 } as const

export interface TimelineEntry {
  type: ConversationEventType
  actorId: string
  messageId?: string
  userId?: string
}

/**
 * Runs `work` in a transaction that first takes the conversation's row lock, so every writer of one
 * timeline queues at the same place before touching anything else (no deadlock between, say, two
 * operators joining and sending at once), and `append` allocates seqs in commit order.
 * `startsWithAppend: true` promises that `work`'s first statement is `append`, whose UPDATE is then
 * the lock (one statement and one row version fewer on the hot send path).
 */
export function writeTimeline<T>(
  ctx: Context,
  conversationId: string,
  work: (tx: Tx, append: (entry: TimelineEntry, extra?: AppendOptions) => Promise<number>) => Promise<T>,
  options: { startsWithAppend?: boolean } = {},
) {
  return db(ctx).$transaction(async (tx) => {
    if (!options.startsWithAppend)
      await tx.conversation.update({ where: { id: conversationId }, data: { lastSeq: { increment: 0 } }, select: { id: true } })
    return work(tx, (entry, extra) => appendToTimeline(tx, conversationId, entry, extra))
  }, TX_OPTIONS)
}

interface AppendOptions {
  touchActivity?: boolean
  bumpVersion?: boolean
}

/** Allocates the next seq and records the event; returns the seq. Call inside writeTimeline. */
async function appendToTimeline(tx: Tx, conversationId: string, entry: TimelineEntry, extra: AppendOptions = {}) {
  const { lastSeq } = await tx.conversation.update({
    where: { id: conversationId },
    data: {
      lastSeq: { increment: 1 },
      ...(extra.touchActivity && { lastActivityAt: new Date() }),
      ...(extra.bumpVersion && { version: { increment: 1 } }),
    },
    select: { lastSeq: true },
  })
  await tx.conversationEvent.create({
    data: { conversationId, seq: lastSeq, type: entry.type, actorId: entry.actorId, messageId: entry.messageId ?? null, userId: entry.userId ?? null, tenantId: TENANT_FROM_SCOPE },
  })
  return lastSeq
}
