// Who may see and act in a conversation. Two forms of one rule: a Prisma filter for lists and node
// loading (visibleConversationWhere), and an access record for single-conversation checks
// (loadConversationAccess + canInConversation). The isolation test matrix holds them together.
import { type Context, db, viewerOf } from '../../context.js'
import type { Viewer } from '../../auth/viewer.js'
import { can, canInConversation, type ConversationAccess, type ConversationPermission } from '../../auth/permissions.js'
import { forbidden, notFound } from '../../errors.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { idOf } from '../../global-id.js'

const ACTIVE = { leftAt: null, role: { not: 'OBSERVER' } } as const

export function visibleConversationWhere(viewer: Viewer): Prisma.ConversationWhereInput {
  if (can(viewer, 'conversation:oversee')) return {}
  const asParticipant: Prisma.ConversationWhereInput = { participants: { some: { userId: viewer.userId, ...ACTIVE } } }
  if (viewer.role !== 'OPERATOR') return asParticipant
  return { OR: [asParticipant, { groups: { some: { group: { members: { some: { userId: viewer.userId } } } } } }] }
}

/** The Prisma selection that accessFrom() needs, to load it alongside a conversation in one query. */
export function accessSelection(viewer: Viewer) {
  return {
    participants: { where: { userId: viewer.userId }, select: { role: true, leftAt: true } },
    groups: { where: { group: { members: { some: { userId: viewer.userId } } } }, select: { groupId: true }, take: 1 },
  } satisfies Prisma.ConversationSelect
}

export function accessFrom(
  viewer: Viewer,
  loaded: { participants: Array<{ role: string; leftAt: Date | null }>; groups: Array<{ groupId: string }> },
): ConversationAccess {
  const own = loaded.participants[0]
  const participant = !!own && own.leftAt === null && own.role !== 'OBSERVER'
  return {
    oversees: can(viewer, 'conversation:oversee'),
    participant,
    owner: participant && own!.role === 'OWNER',
    viaGroup: viewer.role === 'OPERATOR' && loaded.groups.length > 0,
  }
}

/**
 * The conversation (by global id) and how the viewer reaches it. NOT_FOUND when it does not exist, is
 * another tenant's, or the viewer may not see it (indistinguishable); FORBIDDEN when the viewer sees it
 * but lacks `permission`.
 */
export async function requireConversation(ctx: Context, conversationGlobalId: string, permission: ConversationPermission, field = 'conversationId') {
  const viewer = viewerOf(ctx)
  const id = idOf('Conversation', conversationGlobalId, field)
  const conversation = await db(ctx).conversation.findUnique({ where: { id }, include: accessSelection(viewer) })
  const access = conversation && accessFrom(viewer, conversation)
  if (!conversation || !access || !canInConversation(viewer, access, 'conversation:read')) throw notFound('Conversation')
  if (!canInConversation(viewer, access, permission)) throw forbidden(`Not allowed: ${permission}`)
  return { conversation, access }
}
