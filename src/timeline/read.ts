// The timeline's read side: events after a seq, in seq order. Subscriptions replay from here and live
// fan-out reads each new event here once per node (src/timeline/hub.ts).
import type { TenantDb } from '../db/tenant-scope.js'
import type { ConversationEvent } from '../generated/prisma/client.js'

export type TimelineItem =
  /** `committedAt` (ms, the event's createdAt) is set on events read live, for the delivery latency metric. */
  | { kind: 'event'; event: ConversationEvent; eventId: number; committedAt?: number }
  /** The backlog after `afterSeq` was longer than REPLAY_LIMIT: page it with messages(afterSeq); the stream goes on after `resumeAfterSeq`. */
  | { kind: 'truncated'; conversationId: string; afterSeq: number; resumeAfterSeq: number; eventId: number }

export const eventItem = (event: ConversationEvent): TimelineItem => ({ kind: 'event', event, eventId: event.seq })

export function readEvents(db: TenantDb, conversationId: string, afterSeq: number, take: number) {
  return db.conversationEvent.findMany({ where: { conversationId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' }, take })
}
