// The support inbox: SUPPORT conversations' lifecycle (OPEN → PENDING → CLOSED), assignment as
// compare-and-set, one responder at a time (the tenant's reply policy), and the rules a send into a
// SUPPORT conversation follows. Every change is a timeline event written under the conversation's row
// lock (src/timeline/write.ts), so concurrent claims on any number of nodes queue there and exactly one
// wins; an operator's capacity is checked under their user row's lock, so two nodes cannot exceed it.
import { type Context, db, viewerOf } from '../../context.js'
import type { Viewer } from '../../auth/viewer.js'
import { badInput, conflict, forbidden, notFound } from '../../errors.js'
import { encodeGlobalId } from '../../global-id.js'
import { lockUser } from '../../db/statements.js'
import type { ConversationStatus, ReplyPolicy } from '../../generated/prisma/enums.js'
import { announceTimeline } from '../../realtime/publish.js'
import { writeTimeline, type Append, type Tx } from '../../timeline/write.js'
import { requireConversation } from '../conversations/access.js'
import { conversationAssignedEvent, conversationClosedEvent } from '../webhooks/events.js'

export interface TenantSettings {
  replyPolicy: ReplyPolicy
  operatorCapacity: number | null
  unassignOnReopen: boolean
}

export async function tenantSettings(ctx: Context, tx?: Tx): Promise<TenantSettings> {
  const id = viewerOf(ctx).tenantId
  const select = { replyPolicy: true, operatorCapacity: true, unassignOnReopen: true } as const
  // Tenant is not tenant-owned (it is the tenant): read by the viewer's own tenant id.
  return tx
    ? (tx as unknown as Pick<typeof ctx.app.prisma, 'tenant'>).tenant.findUniqueOrThrow({ where: { id }, select })
    : ctx.app.prisma.tenant.findUniqueOrThrow({ where: { id }, select })
}

const settingsByContext = new WeakMap<Context, Promise<TenantSettings>>()

/** The tenant's settings, read once per request or subscription event batch. */
export function settingsOf(ctx: Context): Promise<TenantSettings> {
  let settings = settingsByContext.get(ctx)
  if (!settings) {
    settings = tenantSettings(ctx)
    settingsByContext.set(ctx, settings)
    // A subscription's context lives for hours: read again after a while.
    setTimeout(() => settingsByContext.delete(ctx), 5000).unref()
  }
  return settings
}

export async function updateTenantSettings(
  ctx: Context,
  input: { replyPolicy?: ReplyPolicy | null; operatorCapacity?: number | null; unassignOnReopen?: boolean | null },
) {
  const viewer = viewerOf(ctx)
  if (viewer.role !== 'ADMIN') throw forbidden('Only tenant admins change tenant settings')
  if (
    input.operatorCapacity !== undefined &&
    input.operatorCapacity !== null &&
    (input.operatorCapacity < 1 || input.operatorCapacity > 10_000)
  )
    throw badInput('operatorCapacity must be 1 to 10000 (or null for no limit)', 'operatorCapacity')
  return ctx.app.prisma.tenant.update({
    where: { id: viewer.tenantId },
    data: {
      ...(input.replyPolicy && { replyPolicy: input.replyPolicy }),
      ...(input.operatorCapacity !== undefined && { operatorCapacity: input.operatorCapacity }),
      ...(input.unassignOnReopen !== undefined && input.unassignOnReopen !== null && { unassignOnReopen: input.unassignOnReopen }),
    },
    select: { replyPolicy: true, operatorCapacity: true, unassignOnReopen: true },
  })
}

type Current = { assigneeId: string | null; version: number; status: ConversationStatus; kind: string }

/** Under the row lock: the conversation as it is now. */
async function current(tx: Tx, conversationId: string): Promise<Current> {
  return tx.conversation.findUniqueOrThrow({
    where: { id: conversationId },
    select: { assigneeId: true, version: true, status: true, kind: true },
  })
}

const conflictWith = (message: string, c: Current) =>
  conflict(message, { assignee: c.assigneeId ? encodeGlobalId('User', c.assigneeId) : null, version: c.version })

/** An operator's open SUPPORT assignments stay within the tenant's capacity; call under writeTimeline. */
async function checkCapacity(ctx: Context, tx: Tx, assigneeId: string, settings: TenantSettings) {
  if (settings.operatorCapacity === null) return
  await lockUser(tx, viewerOf(ctx).tenantId, assigneeId)
  const open = await tx.conversation.count({ where: { assigneeId, kind: 'SUPPORT', status: { not: 'CLOSED' } } })
  if (open >= settings.operatorCapacity)
    throw conflict(`The operator already has ${open} open conversations (capacity ${settings.operatorCapacity})`, {
      capacity: settings.operatorCapacity,
    })
}

async function assignIn(ctx: Context, tx: Tx, append: Append, conversationId: string, assigneeId: string | null, settings: TenantSettings) {
  if (assigneeId) await checkCapacity(ctx, tx, assigneeId, settings)
  await tx.conversation.update({ where: { id: conversationId }, data: { assigneeId } })
  // Notifications and webhooks: conversation.assigned, in this transaction (transactional outbox).
  const assignee = assigneeId
    ? await tx.user.findUniqueOrThrow({ where: { id: assigneeId }, select: { id: true, externalId: true } })
    : null
  await ctx.app.outbox.enqueue(tx, conversationAssignedEvent(viewerOf(ctx), { id: conversationId, kind: 'SUPPORT' }, assignee))
  return append(
    { type: 'CONVERSATION_ASSIGNED', actorId: viewerOf(ctx).userId, ...(assigneeId && { userId: assigneeId }) },
    { bumpVersion: true, touchActivity: true },
  )
}

async function requireSupport(ctx: Context, conversationId: string, permission: 'conversation:assign' | 'conversation:claim') {
  const { conversation, access } = await requireConversation(ctx, conversationId, permission)
  if (conversation.kind !== 'SUPPORT') throw badInput('Only SUPPORT conversations are assigned', 'conversationId')
  return { conversation, access }
}

/** The operator (or admin) who may be assigned: staff of the tenant who see the conversation. */
async function requireAssignee(ctx: Context, conversationId: string, externalId: string) {
  const user = await db(ctx).user.findUnique({ where: { tenantId_externalId: { tenantId: viewerOf(ctx).tenantId, externalId } } })
  if (!user) throw badInput(`Unknown user: ${externalId.slice(0, 100)}`, 'assigneeExternalId')
  if (user.role !== 'OPERATOR' && user.role !== 'ADMIN') throw badInput('Only operators and admins are assigned', 'assigneeExternalId')
  if (user.role === 'OPERATOR') {
    const reaches = await db(ctx).conversationGroup.count({ where: { conversationId, group: { members: { some: { userId: user.id } } } } })
    if (!reaches) throw badInput("The assignee is not in one of the conversation's groups", 'assigneeExternalId')
  }
  return user
}

/** Takes an unassigned conversation: among concurrent claims exactly one wins; the others get CONFLICT (assignee, version). */
export async function claimConversation(ctx: Context, input: { conversationId: string }) {
  const viewer = viewerOf(ctx)
  const { conversation } = await requireSupport(ctx, input.conversationId, 'conversation:claim')
  const settings = await tenantSettings(ctx)
  const seq = await writeTimeline(db(ctx), conversation.id, async (tx, append) => {
    const now = await current(tx, conversation.id)
    if (now.assigneeId === viewer.userId) return null
    if (now.assigneeId) throw conflictWith('Already assigned', now)
    return assignIn(ctx, tx, append, conversation.id, viewer.userId, settings)
  })
  if (seq !== null) announceTimeline(ctx, conversation.id, seq)
  return conversation.id
}

/** Assigns (or with no assignee, unassigns) when `expectedVersion` is still the conversation's version. */
export async function assignConversation(
  ctx: Context,
  input: { conversationId: string; assigneeExternalId?: string | null; expectedVersion: number },
) {
  const { conversation } = await requireSupport(ctx, input.conversationId, 'conversation:assign')
  const assignee = input.assigneeExternalId ? await requireAssignee(ctx, conversation.id, input.assigneeExternalId) : null
  const settings = await tenantSettings(ctx)
  const seq = await writeTimeline(db(ctx), conversation.id, async (tx, append) => {
    const now = await current(tx, conversation.id)
    if (now.version !== input.expectedVersion)
      throw conflictWith(`The conversation changed (version ${now.version}, expected ${input.expectedVersion})`, now)
    if (now.assigneeId === (assignee?.id ?? null)) return null
    return assignIn(ctx, tx, append, conversation.id, assignee?.id ?? null, settings)
  })
  if (seq !== null) announceTimeline(ctx, conversation.id, seq)
  return conversation.id
}

/** Moves the conversation to another group (which unassigns it), or assigns it to an operator. */
export async function transferConversation(
  ctx: Context,
  input: { conversationId: string; groupId?: string | null; assigneeExternalId?: string | null; expectedVersion: number },
) {
  if (!input.groupId === !input.assigneeExternalId)
    throw badInput('Transfer to a group or to an operator (one of them)', input.groupId ? 'assigneeExternalId' : 'groupId')
  if (input.assigneeExternalId)
    return assignConversation(ctx, {
      conversationId: input.conversationId,
      assigneeExternalId: input.assigneeExternalId,
      expectedVersion: input.expectedVersion,
    })
  const { conversation } = await requireSupport(ctx, input.conversationId, 'conversation:assign')
  const group = await db(ctx).group.findUnique({ where: { id: input.groupId! } })
  if (!group) throw notFound('Group')
  // Whose lists it leaves: the old groups' members (the inbox router tells only those who no longer see it).
  const inbox: Record<string, 'REMOVED' | 'ADDED'> = {}
  const seq = await writeTimeline(db(ctx), conversation.id, async (tx, append) => {
    const now = await current(tx, conversation.id)
    if (now.version !== input.expectedVersion)
      throw conflictWith(`The conversation changed (version ${now.version}, expected ${input.expectedVersion})`, now)
    const [leaving, arriving] = await Promise.all([
      // Only staff ever saw it through a group: an end user in a group must not hear of it at all.
      tx.groupMember.findMany({
        where: { group: { conversations: { some: { conversationId: conversation.id } } }, user: { role: { in: ['OPERATOR', 'ADMIN'] } } },
        select: { userId: true },
      }),
      tx.groupMember.findMany({ where: { groupId: group.id }, select: { userId: true } }),
    ])
    // The new group's members get it ADDED; a member of both keeps it (UPDATED, the default).
    const left = new Set(leaving.map((m) => m.userId))
    const joined = new Set(arriving.map((m) => m.userId))
    for (const userId of left) if (!joined.has(userId)) inbox[userId] = 'REMOVED'
    for (const userId of joined) if (!left.has(userId)) inbox[userId] = 'ADDED'
    await tx.conversationGroup.deleteMany({ where: { conversationId: conversation.id } })
    await tx.conversationGroup.create({ data: { tenantId: conversation.tenantId, conversationId: conversation.id, groupId: group.id } })
    await tx.conversation.update({ where: { id: conversation.id }, data: { assigneeId: null } })
    return append(
      { type: 'CONVERSATION_TRANSFERRED', actorId: viewerOf(ctx).userId, groupId: group.id },
      { bumpVersion: true, touchActivity: true },
    )
  })
  // Who sees it changed: the old group's operators lose it, the new group's gain it.
  announceTimeline(ctx, conversation.id, seq, { membershipChanged: true, inbox })
  return conversation.id
}

async function setStatus(ctx: Context, input: { conversationId: string; expectedVersion?: number | null }, status: ConversationStatus) {
  const { conversation } = await requireSupport(ctx, input.conversationId, 'conversation:assign')
  const seq = await writeTimeline(db(ctx), conversation.id, async (tx, append) => {
    const now = await current(tx, conversation.id)
    if (input.expectedVersion != null && now.version !== input.expectedVersion)
      throw conflictWith(`The conversation changed (version ${now.version}, expected ${input.expectedVersion})`, now)
    if (now.status === status) return null
    return changeStatus(ctx, tx, append, conversation.id, status)
  })
  if (seq !== null) announceTimeline(ctx, conversation.id, seq)
  return conversation.id
}

async function changeStatus(ctx: Context, tx: Tx, append: Append, conversationId: string, status: ConversationStatus) {
  await tx.conversation.update({ where: { id: conversationId }, data: { status, ...(status === 'CLOSED' && { waitingSince: null }) } })
  // Notifications and webhooks: conversation.closed, in this transaction (transactional outbox).
  if (status === 'CLOSED') await ctx.app.outbox.enqueue(tx, conversationClosedEvent(viewerOf(ctx), { id: conversationId, kind: 'SUPPORT' }))
  return append({ type: 'CONVERSATION_STATUS_CHANGED', actorId: viewerOf(ctx).userId, status }, { bumpVersion: true, touchActivity: true })
}

export const closeConversation = (ctx: Context, input: { conversationId: string; expectedVersion?: number | null }) =>
  setStatus(ctx, input, 'CLOSED')
export const reopenConversation = (ctx: Context, input: { conversationId: string }) => setStatus(ctx, input, 'OPEN')
export const markPending = (ctx: Context, input: { conversationId: string; expectedVersion?: number | null }) =>
  setStatus(ctx, input, 'PENDING')

/**
 * The rules of a send into a SUPPORT conversation, applied inside the send's transaction under the row
 * lock (before the message takes its seq). An end user's message reopens a PENDING or CLOSED
 * conversation and starts the waiting clock. A staff reply (not a note) answers it; under ASSIGNEE_ONLY
 * an operator's reply into an unassigned conversation claims it, into someone else's is refused
 * (CONFLICT, nothing written), and an admin's is let through and marked as an override.
 */
export async function applySupportSendRules(
  ctx: Context,
  tx: Tx,
  append: Append,
  conversationId: string,
  internal: boolean,
): Promise<{ override: boolean }> {
  const viewer: Viewer = viewerOf(ctx)
  const now = await current(tx, conversationId)
  if (now.kind !== 'SUPPORT' || internal) return { override: false }
  if (viewer.role === 'MEMBER') {
    if (now.status !== 'OPEN') {
      const settings = await tenantSettings(ctx, tx)
      if (now.status === 'CLOSED' && settings.unassignOnReopen && now.assigneeId)
        await assignIn(ctx, tx, append, conversationId, null, settings)
      await changeStatus(ctx, tx, append, conversationId, 'OPEN')
    }
    await tx.conversation.updateMany({ where: { id: conversationId, waitingSince: null }, data: { waitingSince: new Date() } })
    return { override: false }
  }
  if (viewer.role === 'SERVICE') return { override: false }
  const settings = await tenantSettings(ctx, tx)
  let override = false
  if (settings.replyPolicy === 'ASSIGNEE_ONLY' && now.assigneeId !== viewer.userId) {
    if (viewer.role === 'ADMIN') override = now.assigneeId !== null
    else if (now.assigneeId) throw conflictWith('Assigned to another operator: only the assignee replies (reply policy ASSIGNEE_ONLY)', now)
    else await assignIn(ctx, tx, append, conversationId, viewer.userId, settings)
  }
  await tx.conversation.update({ where: { id: conversationId }, data: { waitingSince: null } })
  return { override }
}

/** Whether the viewer may send a visible reply now (the UI asks before it tries). */
export function canReply(viewer: Viewer, conversation: { kind: string; assigneeId: string | null }, policy: ReplyPolicy): boolean {
  if (conversation.kind !== 'SUPPORT' || viewer.role === 'MEMBER' || viewer.role === 'ADMIN') return true
  return policy === 'ANY_OPERATOR' || conversation.assigneeId === null || conversation.assigneeId === viewer.userId
}
