// The raw SQL statements of the app: where one statement beats several Prisma calls, or a condition
// compares columns across tables. They bypass the tenant-bound client (src/db/tenant-scope.ts), so each
// one names the tenant explicitly; this file is the only such bypass, and test/tenant-scope.test.ts
// runs every statement here with another tenant's ids.
import { Prisma } from '../generated/prisma/client.js'
import { queryDirect, type PrismaClient } from './client.js'
import { asTenant } from './row-security.js'
import { conversationSql, seesInternal, type MembershipSnapshot, type VisibilityViewer } from '../auth/visibility.js'
import type { ConversationKind, Role } from '../generated/prisma/enums.js'

// ----------------------------------------------------------------------------------------- unread

/** Unread counts: messages by others, seq above the viewer's read position, not deleted. */
export async function unreadCounts(
  prisma: PrismaClient,
  tenantId: string,
  pairs: ReadonlyArray<{ userId: string; conversationId: string; seesInternal: boolean }>,
) {
  if (!pairs.length) return new Map<string, number>()
  const rows = await asTenant(
    tenantId,
    () => prisma.$queryRaw<Array<{ userId: string; conversationId: string; unread: number }>>`
    SELECT k."userId"::text AS "userId", k."conversationId"::text AS "conversationId", count(m.id)::int AS unread
    FROM unnest(${pairs.map((p) => p.userId)}::uuid[], ${pairs.map((p) => p.conversationId)}::uuid[], ${pairs.map((p) => p.seesInternal)}::boolean[]) AS k("userId", "conversationId", "seesInternal")
    LEFT JOIN "Participant" p ON p."conversationId" = k."conversationId" AND p."userId" = k."userId"
    JOIN "Message" m ON m."conversationId" = k."conversationId" AND m."tenantId" = ${tenantId}::uuid
      AND m.seq > COALESCE(p."lastReadSeq", 0) AND m."deletedAt" IS NULL AND m."senderId" <> k."userId" AND (k."seesInternal" OR NOT m.internal)
    GROUP BY k."userId", k."conversationId"`,
  )
  return new Map(rows.map((r) => [`${r.userId}:${r.conversationId}`, r.unread]))
}

/** Most conversations the unreadOnly filter considers (the most recently active first). */
export const UNREAD_FILTER_LIMIT = 10_000

/** Ids of the conversations the viewer sees that hold unread messages for them, most recently active first. */
export async function conversationsWithUnread(prisma: PrismaClient, tenantId: string, viewer: VisibilityViewer): Promise<string[]> {
  const rows = await asTenant(
    tenantId,
    () => prisma.$queryRaw<Array<{ id: string }>>`
    SELECT c.id::text AS id
    FROM "Conversation" c
    LEFT JOIN "Participant" p ON p."conversationId" = c.id AND p."userId" = ${viewer.userId}::uuid
    WHERE c."tenantId" = ${tenantId}::uuid
      AND ${conversationSql(viewer, Prisma.raw('c.id'))}
      AND EXISTS (
        SELECT 1 FROM "Message" m
        WHERE m."conversationId" = c.id AND m.seq > COALESCE(p."lastReadSeq", 0) AND m."deletedAt" IS NULL AND m."senderId" <> ${viewer.userId}::uuid
          AND (${seesInternal(viewer)}::boolean OR NOT m.internal)
      )
    ORDER BY c."lastActivityAt" DESC, c.id DESC
    LIMIT ${UNREAD_FILTER_LIMIT}`,
  )
  return rows.map((r) => r.id)
}

// ------------------------------------------------------------------------------------- membership

/** Active participants and groups (with their members) of a conversation, in one statement; null when it is not the tenant's. */
export async function loadMembership(prisma: PrismaClient, tenantId: string, conversationId: string): Promise<MembershipSnapshot | null> {
  const rows = await asTenant(
    tenantId,
    () => prisma.$queryRaw<Array<{ participants: string[]; groups: Array<{ g: string; m: string[] }> }>>`
    SELECT
      ARRAY(SELECT p."userId"::text FROM "Participant" p WHERE p."conversationId" = c.id AND p."leftAt" IS NULL AND p.role <> 'OBSERVER') AS participants,
      COALESCE((SELECT json_agg(json_build_object('g', cg."groupId", 'm', ARRAY(SELECT gm."userId"::text FROM "GroupMember" gm WHERE gm."groupId" = cg."groupId")))
                FROM "ConversationGroup" cg WHERE cg."conversationId" = c.id), '[]'::json) AS groups
    FROM "Conversation" c
    WHERE c.id = ${conversationId}::uuid AND c."tenantId" = ${tenantId}::uuid`,
  )
  const row = rows[0]
  if (!row) return null
  return { participants: new Set(row.participants), groups: new Map(row.groups.map((g) => [g.g, new Set(g.m)])) }
}

// ---------------------------------------------------------------------------------------- support

/** Locks a user's row until commit: assignments to one operator queue here, so capacity holds across nodes. */
export async function lockUser(tx: { $queryRaw: PrismaClient['$queryRaw'] }, tenantId: string, userId: string) {
  const rows = await asTenant(
    tenantId,
    () =>
      tx.$queryRaw<
        Array<{ id: string }>
      >`SELECT id::text FROM "User" WHERE id = ${userId}::uuid AND "tenantId" = ${tenantId}::uuid FOR UPDATE`,
  )
  return rows.length > 0
}

/**
 * Moves a participant's delivered position (and, for a read, the read position) forward to `target`, in
 * one statement that also returns the positions before the move (what the acknowledgement metrics count):
 * the row is locked first, so concurrent moves queue and each one sees what the previous one left.
 */
export async function advancePositions(
  prisma: PrismaClient,
  tenantId: string,
  ref: { conversationId: string; userId: string },
  target: number,
  read: boolean,
): Promise<{ readBefore: number; deliveredBefore: number; lastReadSeq: number; lastDeliveredSeq: number } | null> {
  const rows = await asTenant(
    tenantId,
    () => prisma.$queryRaw<Array<{ readBefore: number; deliveredBefore: number; lastReadSeq: number; lastDeliveredSeq: number }>>`
      WITH old AS (
        SELECT id, "lastReadSeq", "lastDeliveredSeq" FROM "Participant"
        WHERE "tenantId" = ${tenantId}::uuid AND "conversationId" = ${ref.conversationId}::uuid AND "userId" = ${ref.userId}::uuid
        FOR UPDATE
      )
      UPDATE "Participant" p SET
        "lastReadSeq" = CASE WHEN ${read} THEN GREATEST(old."lastReadSeq", ${target}::int) ELSE old."lastReadSeq" END,
        "lastDeliveredSeq" = GREATEST(old."lastDeliveredSeq", ${target}::int)
      FROM old WHERE p.id = old.id
      RETURNING old."lastReadSeq" AS "readBefore", old."lastDeliveredSeq" AS "deliveredBefore", p."lastReadSeq", p."lastDeliveredSeq"`,
  )
  return rows[0] ?? null
}

// ---------------------------------------------------------------------------------- notifications

/**
 * Waits until no send holds the conversation's row lock (a send takes it until it commits), then lets
 * the caller's transaction read: what it reads next includes every send that started before. False when
 * the conversation is not the tenant's.
 */
export async function awaitConversationWriters(tx: { $queryRaw: PrismaClient['$queryRaw'] }, tenantId: string, conversationId: string) {
  const rows = await asTenant(
    tenantId,
    () =>
      tx.$queryRaw<
        Array<{ id: string }>
      >`SELECT id::text FROM "Conversation" WHERE id = ${conversationId}::uuid AND "tenantId" = ${tenantId}::uuid FOR SHARE`,
  )
  return rows.length > 0
}

// ------------------------------------------------------------------------------------------- send

export interface SentMessageRow {
  id: string
  tenantId: string
  conversationId: string
  seq: number
  senderId: string
  clientMessageId: string
  body: string
  createdAt: Date
  editedAt: Date | null
  deletedAt: Date | null
  internal: boolean
  kind: ConversationKind
  /** The sender's row, so a payload selecting it needs no second read. */
  sender: { id: string; tenantId: string; externalId: string; displayName: string; role: Role; createdAt: Date; updatedAt: Date }
}

/**
 * The send fast path in one statement (one round trip, its own transaction): for a visible message by a
 * sender who is an active participant of a conversation that is not SUPPORT (whose lifecycle and reply
 * policy take the transactional path), and a clientMessageId not used yet, allocate the next seq under the conversation
 * row lock, insert the message and its MESSAGE_ADDED event, point lastMessageId at it, and move the
 * sender's read position. No row back means "not this path" (not a participant, a retry, or not the
 * tenant's): the caller takes the transactional path, which tells which. A concurrent identical retry
 * fails on the (conversationId, senderId, clientMessageId) unique key and rolls back whole.
 */
export async function sendAsParticipant(
  prisma: PrismaClient,
  m: { tenantId: string; conversationId: string; senderId: string; messageId: string; clientMessageId: string; body: string },
  /** An outbox enqueue expression (it may read msg.* and conv.*), run by the same statement. */
  outbox: Prisma.Sql = Prisma.sql`NULL`,
): Promise<SentMessageRow | undefined> {
  // Through pg directly (queryDirect): the hot path, one statement, where Prisma's interpreter costs more than it.
  const statement = Prisma.sql`
    WITH conv AS (
      UPDATE "Conversation" c
      SET "lastSeq" = c."lastSeq" + 1, "lastActivityAt" = now(), "lastMessageId" = ${m.messageId}::uuid, "lastPublicMessageId" = ${m.messageId}::uuid, "updatedAt" = now()
      WHERE c.id = ${m.conversationId}::uuid AND c."tenantId" = ${m.tenantId}::uuid AND c.kind <> 'SUPPORT'
        AND EXISTS (SELECT 1 FROM "Participant" p WHERE p."conversationId" = c.id AND p."userId" = ${m.senderId}::uuid AND p."leftAt" IS NULL AND p.role <> 'OBSERVER')
        AND NOT EXISTS (SELECT 1 FROM "Message" x WHERE x."conversationId" = c.id AND x."senderId" = ${m.senderId}::uuid AND x."clientMessageId" = ${m.clientMessageId})
      RETURNING c."lastSeq" AS seq, c.kind
    ),
    msg AS (
      INSERT INTO "Message" (id, "tenantId", "conversationId", seq, "senderId", "clientMessageId", body, "createdAt")
      SELECT ${m.messageId}::uuid, ${m.tenantId}::uuid, ${m.conversationId}::uuid, conv.seq, ${m.senderId}::uuid, ${m.clientMessageId}, ${m.body}, now() FROM conv
      RETURNING *
    ),
    event AS (
      INSERT INTO "ConversationEvent" (id, "tenantId", "conversationId", seq, type, "messageId", "actorId", "createdAt")
      SELECT gen_random_uuid(), ${m.tenantId}::uuid, ${m.conversationId}::uuid, conv.seq, 'MESSAGE_ADDED'::"ConversationEventType", ${m.messageId}::uuid, ${m.senderId}::uuid, now() FROM conv
    ),
    position AS (
      UPDATE "Participant" p SET "lastReadSeq" = conv.seq, "lastDeliveredSeq" = GREATEST(p."lastDeliveredSeq", conv.seq)
      FROM conv WHERE p."conversationId" = ${m.conversationId}::uuid AND p."userId" = ${m.senderId}::uuid AND p."lastReadSeq" < conv.seq
    ),
    outbox AS (SELECT ${outbox} AS enqueued FROM msg, conv)
    SELECT msg.id::text AS id, msg."tenantId"::text AS "tenantId", msg."conversationId"::text AS "conversationId", msg.seq, msg."senderId"::text AS "senderId",
           msg."clientMessageId", msg.body, msg."createdAt", msg."editedAt", msg."deletedAt", msg.internal, conv.kind::text AS kind,
           u."externalId" AS "senderExternalId", u."displayName" AS "senderDisplayName", u.role::text AS "senderRole", u."createdAt" AS "senderCreatedAt", u."updatedAt" AS "senderUpdatedAt"
    FROM msg, conv, outbox, "User" u WHERE u.id = msg."senderId"`
  type Row = Omit<SentMessageRow, 'sender'> & {
    senderExternalId: string
    senderDisplayName: string
    senderRole: Role
    senderCreatedAt: Date
    senderUpdatedAt: Date
  }
  const rows = await asTenant(m.tenantId, () => queryDirect<Row>(prisma, statement.text, statement.values))
  const row = rows[0]
  if (!row) return undefined
  const { senderExternalId, senderDisplayName, senderRole, senderCreatedAt, senderUpdatedAt, ...message } = row
  return {
    ...message,
    sender: {
      id: message.senderId,
      tenantId: message.tenantId,
      externalId: senderExternalId,
      displayName: senderDisplayName,
      role: senderRole,
      createdAt: senderCreatedAt,
      updatedAt: senderUpdatedAt,
    },
  }
}
