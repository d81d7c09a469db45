// Conversations: create (DIRECT reused per pair), update, participants, read and delivery positions.
// Each function authorizes, writes in one transaction, then publishes after commit.
import { type Context, db, viewerOf } from '../../context.js'
import { can } from '../../auth/permissions.js'
import { badInput, forbidden, notFound } from '../../errors.js'
import { advancePositions } from '../../db/statements.js'
import { TENANT_FROM_SCOPE } from '../../db/tenant-scope.js'
import type { ConversationKind, ConversationStatus } from '../../generated/prisma/enums.js'
import { announceCreated, announceTimeline, publishInbox, publishSignal } from '../../realtime/publish.js'
import { TX_OPTIONS, joinConversation, writeTimeline } from '../../timeline/write.js'
import { usersByExternalIds } from '../users/service.js'
import { requireConversation } from './access.js'
import { conversationClosedEvent, conversationCreatedEvent } from '../webhooks/events.js'

export interface CreateConversationInput {
  kind: ConversationKind
  subject?: string | null
  participantExternalIds?: readonly string[] | null
  /** Group row ids (resolvers decode global ids). */
  groupIds?: readonly string[] | null
  contextType?: string | null
  contextId?: string | null
}

const text = (value: string | null | undefined, field: string, max: number) => {
  const v = value?.trim()
  if (v && v.length > max) throw badInput(`${field} must be at most ${max} characters`, field)
  return v || null
}

export async function createConversation(ctx: Context, input: CreateConversationInput) {
  const viewer = viewerOf(ctx)
  if (!can(viewer, 'conversation:create')) throw forbidden()
  const subject = text(input.subject, 'subject', 200)
  const contextType = text(input.contextType, 'contextType', 100)
  const contextId = text(input.contextId, 'contextId', 255)
  if (!contextType !== !contextId) throw badInput('contextType and contextId go together', contextType ? 'contextId' : 'contextType')
  if ((input.participantExternalIds?.length ?? 0) > 500) throw badInput('At most 500 participants at once', 'participantExternalIds')

  const others = await usersByExternalIds(ctx, input.participantExternalIds ?? [], 'participantExternalIds')
  const groupIds = [...new Set(input.groupIds ?? [])]
  if (groupIds.length && (await db(ctx).group.count({ where: { id: { in: groupIds } } })) !== groupIds.length)
    throw badInput('Unknown group(s)', 'groupIds')
  // A service acts for the tenant and does not join; everyone else takes part in what they create.
  const creatorJoins = viewer.role !== 'SERVICE'
  const userIds = [...new Set([...(creatorJoins ? [viewer.userId] : []), ...others.map((u) => u.id)])]

  let directKey: string | null = null
  if (input.kind === 'DIRECT') {
    if (userIds.length !== 2 || groupIds.length)
      throw badInput('A DIRECT conversation is between exactly two users and no groups', 'participantExternalIds')
    directKey = [...userIds].sort().join(':')
    const existing = await db(ctx).conversation.findFirst({ where: { directKey } })
    if (existing) return { conversation: await rejoinDirect(ctx, existing, userIds), created: false }
  } else if (input.kind === 'GROUP') {
    if (userIds.length < 2 && !groupIds.length)
      throw badInput('A GROUP conversation needs another participant or a group', 'participantExternalIds')
  } else if (input.kind === 'SUPPORT') {
    if (!groupIds.length) throw badInput('A SUPPORT conversation needs an operator group', 'groupIds')
    if (!userIds.length) throw badInput('A SUPPORT conversation needs the end user', 'participantExternalIds')
  }

  try {
    const conversation = await db(ctx).$transaction(async (tx) => {
      const created = await tx.conversation.create({
        data: { tenantId: TENANT_FROM_SCOPE, kind: input.kind, subject, contextType, contextId, directKey, createdById: viewer.userId },
      })
      await tx.participant.createMany({
        data: userIds.map((userId) => ({
          tenantId: TENANT_FROM_SCOPE,
          conversationId: created.id,
          userId,
          role: creatorJoins && userId === viewer.userId && input.kind !== 'DIRECT' ? ('OWNER' as const) : ('MEMBER' as const),
        })),
      })
      if (groupIds.length)
        await tx.conversationGroup.createMany({
          data: groupIds.map((groupId) => ({ tenantId: TENANT_FROM_SCOPE, conversationId: created.id, groupId })),
        })
      // Notifications and webhooks: conversation.created, in this transaction (transactional outbox).
      const people = [...(creatorJoins ? [{ id: viewer.userId, externalId: viewer.externalId }] : []), ...others]
      await ctx.app.outbox.enqueue(
        tx,
        conversationCreatedEvent(
          viewer,
          created,
          userIds.map((id) => people.find((p) => p.id === id)!),
        ),
      )
      return created
    }, TX_OPTIONS)
    announceCreated(ctx, conversation.id)
    return { conversation, created: true }
  } catch (e) {
    // Two first messages between the same pair raced: the loser answers with the winner's conversation.
    if (directKey && (e as { code?: string }).code === 'P2002') {
      const existing = await db(ctx).conversation.findFirst({ where: { directKey } })
      if (existing) return { conversation: await rejoinDirect(ctx, existing, userIds), created: false }
    }
    throw e
  }
}

/** Reusing a DIRECT conversation brings back whichever of its two users had left it. */
async function rejoinDirect<C extends { id: string }>(ctx: Context, conversation: C, userIds: readonly string[]): Promise<C> {
  if (!(await joinAll(ctx, conversation.id, userIds))) return conversation
  return (await db(ctx).conversation.findUniqueOrThrow({ where: { id: conversation.id } })) as unknown as C
}

/** Makes users active participants, one PARTICIPANT_JOINED each, in one transaction; publishes; true if anyone joined. */
async function joinAll(ctx: Context, conversationId: string, userIds: readonly string[]): Promise<boolean> {
  const actorId = viewerOf(ctx).userId
  const { joined, lastSeq } = await writeTimeline(db(ctx), conversationId, async (tx, append) => {
    const joined: string[] = []
    let lastSeq = 0
    for (const userId of userIds)
      if (await joinConversation(tx, conversationId, userId)) {
        joined.push(userId)
        lastSeq = await append({ type: 'PARTICIPANT_JOINED', actorId, userId }, { touchActivity: true })
      }
    return { joined, lastSeq }
  })
  if (joined.length)
    announceTimeline(ctx, conversationId, lastSeq, {
      inbox: Object.fromEntries(joined.map((id) => [id, 'ADDED' as const])),
      membershipChanged: true,
    })
  return joined.length > 0
}

export interface UpdateConversationInput {
  conversationId: string
  subject?: string | null
  status?: ConversationStatus | null
}

export async function updateConversation(ctx: Context, input: UpdateConversationInput) {
  const { conversation } = await requireConversation(ctx, input.conversationId, 'conversation:update')
  const subject = input.subject === undefined || input.subject === null ? conversation.subject : text(input.subject, 'subject', 200)
  const status = input.status ?? conversation.status
  if (subject === conversation.subject && status === conversation.status) return conversation
  const seq = await writeTimeline(db(ctx), conversation.id, async (tx, append) => {
    await tx.conversation.update({ where: { id: conversation.id }, data: { subject, status } })
    // Notifications and webhooks: conversation.closed, in this transaction (transactional outbox).
    if (status === 'CLOSED' && conversation.status !== 'CLOSED')
      await ctx.app.outbox.enqueue(tx, conversationClosedEvent(viewerOf(ctx), conversation))
    return append({ type: 'CONVERSATION_UPDATED', actorId: viewerOf(ctx).userId }, { bumpVersion: true, touchActivity: true })
  })
  announceTimeline(ctx, conversation.id, seq)
  return db(ctx).conversation.findUniqueOrThrow({ where: { id: conversation.id } })
}

export async function addParticipants(ctx: Context, input: { conversationId: string; participantExternalIds: readonly string[] }) {
  const { conversation } = await requireConversation(ctx, input.conversationId, 'participant:manage')
  if (conversation.kind === 'DIRECT') throw badInput('A DIRECT conversation stays between its two users', 'conversationId')
  if (!input.participantExternalIds.length || input.participantExternalIds.length > 500)
    throw badInput('Name 1 to 500 users', 'participantExternalIds')
  const users = await usersByExternalIds(ctx, input.participantExternalIds, 'participantExternalIds')
  await joinAll(
    ctx,
    conversation.id,
    users.map((u) => u.id),
  )
  return conversation.id
}

export async function removeParticipant(ctx: Context, input: { conversationId: string; participantExternalId: string }) {
  const viewer = viewerOf(ctx)
  const [user] = await usersByExternalIds(ctx, [input.participantExternalId], 'participantExternalId')
  // Leaving is always allowed; removing someone else needs participant:manage.
  const permission = user!.id === viewer.userId ? 'conversation:read' : 'participant:manage'
  const { conversation } = await requireConversation(ctx, input.conversationId, permission)
  if (conversation.kind === 'DIRECT' && user!.id !== viewer.userId)
    throw badInput('A DIRECT conversation stays between its two users', 'conversationId')
  const seq = await writeTimeline(db(ctx), conversation.id, async (tx, append) => {
    const left = await tx.participant.updateMany({
      where: { conversationId: conversation.id, userId: user!.id, leftAt: null, role: { not: 'OBSERVER' } },
      data: { leftAt: new Date() },
    })
    if (!left.count) throw badInput(`${input.participantExternalId} is not a participant`, 'participantExternalId')
    return append({ type: 'PARTICIPANT_LEFT', actorId: viewer.userId, userId: user!.id }, { touchActivity: true })
  })
  announceTimeline(ctx, conversation.id, seq, { inbox: { [user!.id]: 'REMOVED' }, membershipChanged: true })
  return conversation.id
}

export async function leaveConversation(ctx: Context, input: { conversationId: string }) {
  return removeParticipant(ctx, { conversationId: input.conversationId, participantExternalId: viewerOf(ctx).externalId })
}

type Position = 'lastReadSeq' | 'lastDeliveredSeq'

/**
 * Moves the viewer's read (and delivered) position forward to `seq`, clamped to the conversation's
 * lastSeq; a position below the current one changes nothing. Viewers who see the conversation without
 * taking part keep their position in an OBSERVER row.
 */
export async function markPosition(ctx: Context, input: { conversationId: string; seq: number }, position: Position) {
  if (!Number.isInteger(input.seq) || input.seq < 0) throw badInput('seq must be a non-negative integer', 'seq')
  const viewer = viewerOf(ctx)
  const { conversation } = await requireConversation(ctx, input.conversationId, 'conversation:read')
  const target = Math.min(input.seq, conversation.lastSeq)
  const where = { conversationId: conversation.id, userId: viewer.userId }
  await db(ctx).participant.createMany({ data: [{ ...where, tenantId: TENANT_FROM_SCOPE, role: 'OBSERVER' }], skipDuplicates: true })
  // Reading implies delivery: markRead moves both positions, markDelivered only its own. One statement
  // moves them and says where they were (how far each moved is what the acknowledgement metrics count).
  const moved = await advancePositions(ctx.app.prisma, viewer.tenantId, where, target, position === 'lastReadSeq')
  if (!moved) throw notFound('Conversation')
  const participant = { lastReadSeq: moved.lastReadSeq, lastDeliveredSeq: moved.lastDeliveredSeq }
  countAcknowledged(ctx, 'lastDeliveredSeq', moved.lastDeliveredSeq - moved.deliveredBefore)
  countAcknowledged(ctx, 'lastReadSeq', moved.lastReadSeq - moved.readBefore)
  if (moved.lastReadSeq !== moved.readBefore || moved.lastDeliveredSeq !== moved.deliveredBefore) {
    publishSignal(ctx, {
      kind: 'receipt',
      conversationId: conversation.id,
      userId: viewer.userId,
      lastReadSeq: participant.lastReadSeq,
      lastDeliveredSeq: participant.lastDeliveredSeq,
    })
    if (position === 'lastReadSeq') publishInbox(ctx, conversation.id, { [viewer.userId]: 'UPDATED' }, null)
  }
  return { conversationId: conversation.id, participant }
}

/** Delivery-success metrics: how many seqs a recipient acknowledged (delivered or read). */
function countAcknowledged(ctx: Context, field: Position, seqs: number) {
  if (!seqs) return
  const { metrics } = ctx.app
  metrics.deliveriesAcknowledged.inc({ kind: field === 'lastReadSeq' ? 'read' : 'delivered' }, seqs)
  if (field === 'lastDeliveredSeq')
    metrics.tenantDeliveriesAcknowledged.inc({ tenant: metrics.tenantLabel(viewerOf(ctx).tenantExternalId) }, seqs)
}
