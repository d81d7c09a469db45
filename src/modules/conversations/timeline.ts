// The conversation timeline: every change participants must see takes the next seq of its conversation,
// allocated by an UPDATE of the conversation row (which holds the row lock until commit) in the same
// transaction that writes the change and its ConversationEvent row. A rollback returns the seq, so the
// sequence is gap-free and duplicate-free across any number of server processes.
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

/** Allocates the next seq and records the event; returns the seq. Call inside a transaction. */
export async function appendToTimeline(tx: Tx, conversationId: string, entry: TimelineEntry, extra: { touchActivity?: boolean; bumpVersion?: boolean } = {}) {
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
