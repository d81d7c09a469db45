import { randomUUID } from 'node:crypto'
// Messages: idempotent send, edit (previous bodies kept), soft delete. Authorize, persist in one
// transaction (seq allocated there), then publish after commit.
import { type Context, db, viewerOf } from '../../context.js'
import { AppError, badInput, conflict, forbidden, notFound } from '../../errors.js'
import { TENANT_FROM_SCOPE } from '../../db/tenant-scope.js'
import { idOf } from '../../global-id.js'
import { publishTimeline } from '../../realtime/publish.js'
import { accessFrom, accessSelection, requireConversation, visibleConversationWhere } from '../conversations/access.js'
import { canInConversation } from '../../auth/permissions.js'
import { join } from '../conversations/service.js'
import { writeTimeline } from '../conversations/timeline.js'
import { messageCreatedEvent } from '../webhooks/events.js'

export const MAX_CLIENT_MESSAGE_ID = 128

export interface SendMessageInput {
  conversationId: string
  body: string
  clientMessageId: string
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
    const { conversation, access } = await requireConversation(ctx, input.conversationId, 'message:send')
    const key = { conversationId_senderId_clientMessageId: { conversationId: conversation.id, senderId: viewer.userId, clientMessageId } }

    const original = await db(ctx).message.findUnique({ where: key })
    if (original) return replay(ctx, original, input.body)
    try {
      const { message, seq } = await writeTimeline(ctx, conversation.id, async (tx, append) => {
        // Someone who sees the conversation through a group or a role joins it by writing in it.
        if (!access.participant && (await join(tx, conversation.id, viewer.userId)))
          await append({ type: 'PARTICIPANT_JOINED', actorId: viewer.userId, userId: viewer.userId })
        const messageId = randomUUID()
        const seq = await append({ type: 'MESSAGE_ADDED', actorId: viewer.userId, messageId }, { touchActivity: true })
        const message = await tx.message.create({ data: { id: messageId, tenantId: TENANT_FROM_SCOPE, conversationId: conversation.id, seq, senderId: viewer.userId, clientMessageId, body: input.body } })
        await tx.conversation.update({ where: { id: conversation.id }, data: { lastMessageId: message.id } })
        // The sender has read their own conversation up to their message.
        await tx.participant.updateMany({ where: { conversationId: conversation.id, userId: viewer.userId, lastReadSeq: { lt: seq } }, data: { lastReadSeq: seq, lastDeliveredSeq: seq } })
        // Notifications and webhooks: message.created, in this transaction (transactional outbox).
        await ctx.app.outbox.enqueue(tx, messageCreatedEvent(viewer, conversation, message))
        return { message, seq }
      }, { startsWithAppend: access.participant })
      metrics.messagesSent.inc({ kind: conversation.kind })
      publishTimeline(ctx, conversation.id, seq)
      return message
    } catch (e) {
      // A concurrent retry of the same send committed first (unique key): answer with that one.
      if ((e as { code?: string }).code === 'P2002') {
        const winner = await db(ctx).message.findUnique({ where: key })
        if (winner) return replay(ctx, winner, input.body)
      }
      throw e
    }
  } catch (e) {
    metrics.sendRejected.inc({ code: e instanceof AppError ? e.code : 'INTERNAL' })
    throw e
  } finally {
    metrics.sendDuration.observe((performance.now() - startedAt) / 1000)
  }
}

async function replay<M extends { id: string; body: string; editedAt: Date | null; deletedAt: Date | null }>(ctx: Context, original: M, body: string): Promise<M> {
  // Compare with the body as it was sent: the oldest revision once edited. A deleted message has no
  // body left to compare: the retry still answers with the tombstone.
  if (original.deletedAt === null) {
    const sent = original.editedAt
      ? ((await db(ctx).messageRevision.findFirst({ where: { messageId: original.id }, orderBy: { createdAt: 'asc' }, select: { body: true } }))?.body ?? original.body)
      : original.body
    if (sent !== body) throw conflict('clientMessageId was already used for a different message')
  }
  ctx.app.metrics.sendReplays.inc()
  return original
}

/** The message (by global id) in a conversation the viewer sees; NOT_FOUND otherwise. */
async function requireMessage(ctx: Context, messageGlobalId: string) {
  const viewer = viewerOf(ctx)
  const id = idOf('Message', messageGlobalId, 'messageId')
  const message = await db(ctx).message.findFirst({
    where: { id, conversation: visibleConversationWhere(viewer) },
    include: { conversation: { include: accessSelection(viewer) } },
  })
  if (!message) throw notFound('Message')
  return { message, access: accessFrom(viewer, message.conversation) }
}

/** Replaces the body (sender only); the previous body is kept as a revision. */
export async function editMessage(ctx: Context, input: { messageId: string; body: string }) {
  const viewer = viewerOf(ctx)
  const { message } = await requireMessage(ctx, input.messageId)
  if (message.senderId !== viewer.userId) throw forbidden('Only the sender can edit a message')
  if (message.deletedAt) throw badInput('A deleted message cannot be edited', 'messageId')
  checkBody(ctx, input.body)
  const { updated, seq } = await writeTimeline(ctx, message.conversationId, async (tx, append) => {
    // Re-read under the timeline lock: a concurrent edit or delete has committed by now.
    const current = await tx.message.findUniqueOrThrow({ where: { id: message.id } })
    if (current.deletedAt) throw badInput('A deleted message cannot be edited', 'messageId')
    if (current.body === input.body) return { updated: current, seq: null }
    await tx.messageRevision.create({ data: { tenantId: TENANT_FROM_SCOPE, messageId: message.id, body: current.body } })
    const updated = await tx.message.update({ where: { id: message.id }, data: { body: input.body, editedAt: new Date() } })
    return { updated, seq: await append({ type: 'MESSAGE_EDITED', actorId: viewer.userId, messageId: message.id }) }
  })
  if (seq !== null) publishTimeline(ctx, message.conversationId, seq)
  return updated
}

/** Soft delete (sender, or an admin): the message stays as a tombstone without its body or revisions. */
export async function deleteMessage(ctx: Context, input: { messageId: string }) {
  const viewer = viewerOf(ctx)
  const { message, access } = await requireMessage(ctx, input.messageId)
  if (message.senderId !== viewer.userId && !canInConversation(viewer, access, 'message:delete')) throw forbidden('Only the sender or an admin can delete a message')
  if (message.deletedAt) return message
  const { deleted, seq } = await writeTimeline(ctx, message.conversationId, async (tx, append) => {
    // Re-read under the timeline lock: deleting twice at once writes one tombstone and one event.
    const current = await tx.message.findUniqueOrThrow({ where: { id: message.id } })
    if (current.deletedAt) return { deleted: current, seq: null }
    await tx.messageRevision.deleteMany({ where: { messageId: message.id } })
    const deleted = await tx.message.update({ where: { id: message.id }, data: { body: '', deletedAt: new Date() } })
    return { deleted, seq: await append({ type: 'MESSAGE_DELETED', actorId: viewer.userId, messageId: message.id }) }
  })
  if (seq !== null) publishTimeline(ctx, message.conversationId, seq)
  return deleted
}
