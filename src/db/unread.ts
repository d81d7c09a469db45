// Unread counts, computed from the messages themselves on every read so they cannot drift:
// messages by others, with seq above the viewer's read position, not deleted. Raw SQL because the
// condition compares columns across tables; it bypasses the tenant scope, so each query names the
// tenant explicitly. This file is the only such bypass.
import type { PrismaClient } from './client.js'

export async function unreadCounts(prisma: PrismaClient, tenantId: string, userId: string, conversationIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await prisma.$queryRaw<Array<{ conversationId: string; unread: number }>>`
    SELECT m."conversationId"::text AS "conversationId", count(*)::int AS unread
    FROM "Message" m
    LEFT JOIN "Participant" p ON p."conversationId" = m."conversationId" AND p."userId" = ${userId}::uuid
    WHERE m."tenantId" = ${tenantId}::uuid
      AND m."conversationId" = ANY(${conversationIds as string[]}::uuid[])
      AND m."deletedAt" IS NULL
      AND m."senderId" <> ${userId}::uuid
      AND m.seq > COALESCE(p."lastReadSeq", 0)
    GROUP BY m."conversationId"`
  return new Map(rows.map((r) => [r.conversationId, r.unread]))
}

/** Ids of the tenant's conversations in which the user has unread messages. */
export async function conversationsWithUnread(prisma: PrismaClient, tenantId: string, userId: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    SELECT DISTINCT m."conversationId"::text AS id
    FROM "Message" m
    LEFT JOIN "Participant" p ON p."conversationId" = m."conversationId" AND p."userId" = ${userId}::uuid
    WHERE m."tenantId" = ${tenantId}::uuid
      AND m."deletedAt" IS NULL
      AND m."senderId" <> ${userId}::uuid
      AND m.seq > COALESCE(p."lastReadSeq", 0)`
  return rows.map((r) => r.id)
}
