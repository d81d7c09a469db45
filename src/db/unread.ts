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

/** Most conversations the unreadOnly filter considers (the most recently active first). */
export const UNREAD_FILTER_LIMIT = 10_000

/**
 * Ids of the conversations the viewer sees that hold unread messages for them, most recently active
 * first: those they take part in, those of their groups (operators), or all of the tenant's (oversight).
 * Each candidate is checked with an index lookup on (conversationId, seq).
 */
export async function conversationsWithUnread(
  prisma: PrismaClient,
  viewer: { tenantId: string; userId: string; viaGroups: boolean; oversees: boolean },
): Promise<string[]> {
  const { tenantId, userId, viaGroups, oversees } = viewer
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    WITH visible AS (
      SELECT c.id FROM "Conversation" c WHERE c."tenantId" = ${tenantId}::uuid AND ${oversees}::boolean
      UNION
      SELECT p."conversationId" FROM "Participant" p
      WHERE p."tenantId" = ${tenantId}::uuid AND p."userId" = ${userId}::uuid AND p."leftAt" IS NULL AND p.role <> 'OBSERVER'
      UNION
      SELECT cg."conversationId" FROM "ConversationGroup" cg JOIN "GroupMember" gm ON gm."groupId" = cg."groupId"
      WHERE cg."tenantId" = ${tenantId}::uuid AND gm."userId" = ${userId}::uuid AND ${viaGroups}::boolean
    )
    SELECT c.id::text AS id
    FROM visible v
    JOIN "Conversation" c ON c.id = v.id
    LEFT JOIN "Participant" p ON p."conversationId" = v.id AND p."userId" = ${userId}::uuid
    WHERE EXISTS (
      SELECT 1 FROM "Message" m
      WHERE m."conversationId" = v.id AND m.seq > COALESCE(p."lastReadSeq", 0) AND m."deletedAt" IS NULL AND m."senderId" <> ${userId}::uuid
    )
    ORDER BY c."lastActivityAt" DESC, c.id DESC
    LIMIT ${UNREAD_FILTER_LIMIT}`
  return rows.map((r) => r.id)
}
