// The timeline's write side: every change participants must see takes the next seq of its conversation,
// allocated by an UPDATE of the conversation row (which holds the row lock until commit) in the same
// transaction that writes the change and its ConversationEvent row. A rollback returns the seq, so the
// sequence is gap-free and duplicate-free across any number of server processes. (The send fast path,
// src/modules/messages/send.sql.ts, does the same in one statement.)
import { TENANT_FROM_SCOPE, type TenantDb } from '../db/tenant-scope.js'
import type { ConversationEventType, ConversationStatus } from '../generated/prisma/enums.js'

export type Tx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0]

/** Options for interactive transactions: a burst of writes queues for connections and row locks. */
export const TX_OPTIONS = { maxWait: 15_000, timeout: 20_000 } as const

export interface TimelineEntry {
  type: ConversationEventType
  actorId: string
  messageId?: string
  userId?: string
  groupId?: string
  status?: ConversationStatus
  /** Staff only (an internal note's events). */
  internal?: boolean
  override?: boolean
}

/** Event types that change who takes part in a conversation (live fan-out re-reads its membership). */
export const MEMBERSHIP_EVENTS: ReadonlySet<ConversationEventType> = new Set([
  'PARTICIPANT_JOINED',
  'PARTICIPANT_LEFT',
  'CONVERSATION_TRANSFERRED',
])

export type Append = (entry: TimelineEntry, extra?: AppendOptions) => Promise<number>

/**
 * Runs `work` in a transaction that first takes the conversation's row lock, so every writer of one
 * timeline queues at the same place before touching anything else (no deadlock between, say, two
 * operators joining and sending at once), and `append` allocates seqs in commit order.
 */
export function writeTimeline<T>(db: TenantDb, conversationId: string, work: (tx: Tx, append: Append) => Promise<T>) {
  return db.$transaction(async (tx) => {
    await tx.conversation.update({ where: { id: conversationId }, data: { lastSeq: { increment: 0 } }, select: { id: true } })
    return work(tx, (entry, extra) => appendToTimeline(tx, conversationId, entry, extra))
  }, TX_OPTIONS)
}

export interface AppendOptions {
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
    data: {
      conversationId,
      seq: lastSeq,
      type: entry.type,
      actorId: entry.actorId,
      messageId: entry.messageId ?? null,
      userId: entry.userId ?? null,
      groupId: entry.groupId ?? null,
      status: entry.status ?? null,
      internal: entry.internal ?? false,
      override: entry.override ?? false,
      tenantId: TENANT_FROM_SCOPE,
    },
  })
  return lastSeq
}

/** Makes the user an active participant (inside writeTimeline); false when they already were one. */
export async function joinConversation(tx: Tx, conversationId: string, userId: string): Promise<boolean> {
  const existing = await tx.participant.findUnique({ where: { conversationId_userId: { conversationId, userId } } })
  if (existing && existing.leftAt === null && existing.role !== 'OBSERVER') return false
  if (existing) await tx.participant.update({ where: { id: existing.id }, data: { leftAt: null, role: 'MEMBER', joinedAt: new Date() } })
  else await tx.participant.create({ data: { tenantId: TENANT_FROM_SCOPE, conversationId, userId, role: 'MEMBER' } })
  return true
}
