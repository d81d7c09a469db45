// Messages: idempotent send, edit (previous bodies kept), soft delete. Authorize, persist in one
// transaction (seq allocated there), then publish after commit. Ids are row ids (resolvers decode).
import { randomUUID } from 'node:crypto'
import { Prisma } from '../../generated/prisma/client.js'
import { type Context, db, viewerOf } from '../../context.js'
import { badInput, conflict, forbidden, notFound } from '../../errors.js'
import { TENANT_FROM_SCOPE } from '../../db/tenant-scope.js'
import { sendAsParticipant } from '../../db/statements.js'
import { announceTimeline } from '../../realtime/publish.js'
import { accessSelection, conversationWhere, messageWhere } from '../../auth/visibility.js'
import { canOnMessage } from '../../auth/permissions.js'
import { joinConversation, writeTimeline } from '../../timeline/write.js'
import { requireConversation } from '../conversations/access.js'
import { applySupportSendRules } from '../support/service.js'
import { messageCreatedEvent, messageCreatedEventSql } from '../webhooks/events.js'
import { messageCreatedOutboxSql } from './outbox.js'

export const MAX_CLIENT_MESSAGE_ID = 128

export interface SendMessageInput {
  conversationId: string
  body: string
  clientMessageId: string
  /** An internal note (operators and admins): end users never see it. */
  internal?: boolean | null
}

function checkBody(ctx: Context, body: string) {
  if (!body.trim()) throw badInput('body must not be blank', 'body')
  const max = ctx.app.config.maxMessageLength
  if ([...body].length > max) throw badInput(`body must be at most ${max} characters`, 'body')
}

/**
 * Sends a message. The same (conversation, sender, clientMessageId) always answers with the original
 * message and writes nothing, on any node, at any later time; a reused clientMessageId with another
 * body is a CONFLICT.
 */
export async function sendMessage(ctx: Context, input: SendMessageInput) {
  const startedAt = performance.now()
  const { metrics } = ctx.app
  try {
    const viewer = viewerOf(ctx)
    checkBody(ctx, input.body)
    const clientMessageId = input.clientMessageId
    if (!clientMessageId.trim() || clientMessageId.length > MAX_CLIENT_MESSAGE_ID)
      throw badInput(`clientMessageId must be 1 to ${MAX_CLIENT_MESSAGE_ID} characters`, 'clientMessageId')
    const internal = !!input.internal
    // The fast path, one statement: an active participant's first visible send of this clientMessageId.
    const messageId = randomUUID()
    try {
      const message = {
        tenantId: viewer.tenantId,
        conversationId: input.conversationId,
        senderId: viewer.userId,
        messageId,
        clientMessageId,
        body: input.body,
      }
      // Notifications and webhooks: message.created enqueued by the same statement (transactional outbox).
      const event = messageCreatedEventSql(
        viewer,
        { id: input.conversationId, kind: Prisma.sql`conv.kind` },
        { id: messageId, body: input.body, clientMessageId },
        { seq: Prisma.sql`msg.seq`, createdAt: Prisma.sql`msg."createdAt"` },
      )
      const outbox = messageCreatedOutboxSql(ctx.app, event, { ...message, seq: Prisma.sql`msg.seq` })
      const sent = internal ? undefined : await sendAsParticipant(ctx.app.prisma, message, outbox)
      if (sent) {
        const { kind, ...message } = sent
        countSent(ctx, kind)
        announceTimeline(ctx, message.conversationId, message.seq)
        return message
      }
    } catch (e) {
      if (!isUniqueViolation(e)) throw e
      // A concurrent retry of the same send committed first: the path below answers with it.
    }

    // Everything else — a retry, a sender who is not a participant yet, a conversation not visible.
    const { conversation, access } = await requireConversation(ctx, input.conversationId, internal ? 'message:note' : 'message:send')
    const key = { conversationId_senderId_clientMessageId: { conversationId: conversation.id, senderId: viewer.userId, clientMessageId } }
    const original = await db(ctx).message.findUnique({ where: key })
    if (original) {
      if (original.internal !== internal) throw conflict('clientMessageId was already used for a different message')
      return replay(ctx, original, input.body)
    }
    try {
      const { message, seq, joined } = await writeTimeline(db(ctx), conversation.id, async (tx, append) => {
        // SUPPORT: reopen on the end user's message, one responder at a time (may refuse: nothing written).
        const { override } = await applySupportSendRules(ctx, tx, append, conversation.id, internal)
        // Someone who sees the conversation through a group or a role joins it by writing in it.
        const joined = !access.participant && (await joinConversation(tx, conversation.id, viewer.userId))
        if (joined) await append({ type: 'PARTICIPANT_JOINED', actorId: viewer.userId, userId: viewer.userId })
        const seq = await append({ type: 'MESSAGE_ADDED', actorId: viewer.userId, messageId, internal, override }, { touchActivity: true })
        const message = await tx.message.create({
          data: {
            id: messageId,
            tenantId: TENANT_FROM_SCOPE,
            conversationId: conversation.id,
            seq,
            senderId: viewer.userId,
            clientMessageId,
            body: input.body,
            internal,
          },
        })
        await tx.conversation.update({
          where: { id: conversation.id },
          data: { lastMessageId: message.id, ...(!internal && { lastPublicMessageId: message.id }) },
        })
        // The sender has read their own conversation up to their message.
        await tx.participant.updateMany({
          where: { conversationId: conversation.id, userId: viewer.userId, lastReadSeq: { lt: seq } },
          data: { lastReadSeq: seq, lastDeliveredSeq: seq },
        })
        // Notifications and webhooks: message.created, in this transaction (transactional outbox).
        const event = messageCreatedEvent(viewer, conversation, message)
        await tx.$executeRaw`SELECT ${messageCreatedOutboxSql(ctx.app, event, { tenantId: viewer.tenantId, conversationId: conversation.id, messageId, senderId: viewer.userId, seq })}`
        return { message, seq, joined }
      })
      countSent(ctx, conversation.kind)
      announceTimeline(ctx, conversation.id, seq, { membershipChanged: joined, staffOnly: internal })
      return message
    } catch (e) {
      // A concurrent retry of the same send committed first (unique key): answer with that one.
      if (isUniqueViolation(e)) {
        const winner = await db(ctx).message.findUnique({ where: key })
        if (winner) return replay(ctx, winner, input.body)
      }
      throw e
    }
  } finally {
    metrics.sendDuration.observe((performance.now() - startedAt) / 1000)
  }
}

function countSent(ctx: Context, kind: string) {
  const { metrics } = ctx.app
  metrics.messagesSent.inc({ kind })
  metrics.tenantMessagesSent.inc({ tenant: metrics.tenantLabel(viewerOf(ctx).tenantExternalId) })
}

/** A unique-key violation, from Prisma's client (P2002), a raw statement or pg directly (SQLSTATE 23505). */
function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } }
  return (
    err.code === 'P2002' ||
    err.code === '23505' ||
    err.meta?.code === '23505' ||
    err.meta?.driverAdapterError?.cause?.originalCode === '23505' ||
    (err.code === 'P2010' && String((e as Error).message).includes('23505'))
  )
}

async function replay<M extends { id: string; body: string; editedAt: Date | null; deletedAt: Date | null }>(
  ctx: Context,
  original: M,
  body: string,
): Promise<M> {
  // Compare with the body as it was sent: the oldest revision once edited. A deleted message has no
  // body left to compare: the retry still answers with the tombstone.
  if (original.deletedAt === null) {
    const sent = original.editedAt
      ? ((
          await db(ctx).messageRevision.findFirst({
            where: { messageId: original.id },
            orderBy: { createdAt: 'asc' },
            select: { body: true },
          })
        )?.body ?? original.body)
      : original.body
    if (sent !== body) throw conflict('clientMessageId was already used for a different message')
  }
  ctx.app.metrics.sendReplays.inc()
  return original
}

/** The message in a conversation the viewer sees; NOT_FOUND otherwise. */
async function requireMessage(ctx: Context, messageId: string) {
  const viewer = viewerOf(ctx)
  const message = await db(ctx).message.findFirst({
    where: { id: messageId, conversation: conversationWhere(viewer), ...messageWhere(viewer) },
    include: { conversation: { include: accessSelection(viewer) } },
  })
  if (!message) throw notFound('Message')
  return { message }
}

/** Replaces the body (sender only); the previous body is kept as a revision. */
export async function editMessage(ctx: Context, input: { messageId: string; body: string }) {
  const viewer = viewerOf(ctx)
  const { message } = await requireMessage(ctx, input.messageId)
  if (message.deletedAt && message.senderId === viewer.userId) throw badInput('A deleted message cannot be edited', 'messageId')
  if (!canOnMessage(viewer, message, 'edit')) throw forbidden('Only the sender can edit a message')
  checkBody(ctx, input.body)
  const { updated, seq } = await writeTimeline(db(ctx), message.conversationId, async (tx, append) => {
    // Re-read under the timeline lock: a concurrent edit or delete has committed by now.
    const current = await tx.message.findUniqueOrThrow({ where: { id: message.id } })
    if (current.deletedAt) throw badInput('A deleted message cannot be edited', 'messageId')
    if (current.body === input.body) return { updated: current, seq: null }
    await tx.messageRevision.create({ data: { tenantId: TENANT_FROM_SCOPE, messageId: message.id, body: current.body } })
    const updated = await tx.message.update({ where: { id: message.id }, data: { body: input.body, editedAt: new Date() } })
    return {
      updated,
      seq: await append({ type: 'MESSAGE_EDITED', actorId: viewer.userId, messageId: message.id, internal: message.internal }),
    }
  })
  if (seq !== null) announceTimeline(ctx, message.conversationId, seq, { staffOnly: message.internal })
  return updated
}

/** Soft delete (sender, or an admin): the message stays as a tombstone without its body or revisions. */
export async function deleteMessage(ctx: Context, input: { messageId: string }) {
  const viewer = viewerOf(ctx)
  const { message } = await requireMessage(ctx, input.messageId)
  if (message.deletedAt) return message
  if (!canOnMessage(viewer, message, 'delete')) throw forbidden('Only the sender or an admin can delete a message')
  const { deleted, seq } = await writeTimeline(db(ctx), message.conversationId, async (tx, append) => {
    // Re-read under the timeline lock: deleting twice at once writes one tombstone and one event.
    const current = await tx.message.findUniqueOrThrow({ where: { id: message.id } })
    if (current.deletedAt) return { deleted: current, seq: null }
    await tx.messageRevision.deleteMany({ where: { messageId: message.id } })
    const deleted = await tx.message.update({ where: { id: message.id }, data: { body: '', deletedAt: new Date() } })
    return {
      deleted,
      seq: await append({ type: 'MESSAGE_DELETED', actorId: viewer.userId, messageId: message.id, internal: message.internal }),
    }
  })
  if (seq !== null) announceTimeline(ctx, message.conversationId, seq, { staffOnly: message.internal })
  return deleted
}
