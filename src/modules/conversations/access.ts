// Single-conversation access checks for services. The rule itself is src/auth/visibility.ts.
import { type Context, db, viewerOf } from '../../context.js'
import { accessFrom, accessSelection } from '../../auth/visibility.js'
import { canInConversation, type ConversationPermission } from '../../auth/permissions.js'
import { forbidden, notFound } from '../../errors.js'

/**
 * The conversation and how the viewer reaches it. NOT_FOUND when it does not exist, is another
 * tenant's, or the viewer may not see it (indistinguishable); FORBIDDEN when the viewer sees it but
 * lacks `permission`.
 */
export async function requireConversation(ctx: Context, conversationId: string, permission: ConversationPermission) {
  const viewer = viewerOf(ctx)
  const conversation = await db(ctx).conversation.findUnique({ where: { id: conversationId }, include: accessSelection(viewer) })
  const access = conversation && accessFrom(viewer, conversation)
  if (!conversation || !access || !canInConversation(viewer, access, 'conversation:read')) throw notFound('Conversation')
  if (!canInConversation(viewer, access, permission)) throw forbidden(`Not allowed: ${permission}`)
  return { conversation, access }
}
