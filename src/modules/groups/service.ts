import { type Context, db, viewerOf } from '../../context.js'
import { can } from '../../auth/permissions.js'
import { badInput, conflict, forbidden, notFound } from '../../errors.js'
import { TENANT_FROM_SCOPE } from '../../db/tenant-scope.js'
import { publishInbox } from '../../realtime/publish.js'
import { TX_OPTIONS } from '../../timeline/write.js'
import { usersByExternalIds } from '../users/service.js'

function requireManage(ctx: Context) {
  if (!can(viewerOf(ctx), 'group:manage')) throw forbidden()
}

function groupName(name: string) {
  const v = name.trim()
  if (!v || v.length > 100) throw badInput('name must be 1 to 100 characters', 'name')
  return v
}

async function requireGroup(ctx: Context, groupId: string) {
  const group = await db(ctx).group.findUnique({ where: { id: groupId } })
  if (!group) throw notFound('Group')
  return group
}

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'P2002'

export async function createGroup(ctx: Context, input: { name: string; memberExternalIds?: readonly string[] | null }) {
  requireManage(ctx)
  const name = groupName(input.name)
  const members = await usersByExternalIds(ctx, input.memberExternalIds ?? [], 'memberExternalIds')
  try {
    return await db(ctx).$transaction(async (tx) => {
      const group = await tx.group.create({ data: { tenantId: TENANT_FROM_SCOPE, name } })
      if (members.length)
        await tx.groupMember.createMany({ data: members.map((u) => ({ tenantId: TENANT_FROM_SCOPE, groupId: group.id, userId: u.id })) })
      return group
    }, TX_OPTIONS)
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`A group named "${name}" already exists`)
    throw e
  }
}

export async function renameGroup(ctx: Context, input: { groupId: string; name: string }) {
  requireManage(ctx)
  const group = await requireGroup(ctx, input.groupId)
  try {
    return await db(ctx).group.update({ where: { id: group.id }, data: { name: groupName(input.name) } })
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`A group named "${input.name.trim()}" already exists`)
    throw e
  }
}

export async function changeGroupMembers(
  ctx: Context,
  input: { groupId: string; memberExternalIds: readonly string[] },
  change: 'add' | 'remove',
) {
  requireManage(ctx)
  const group = await requireGroup(ctx, input.groupId)
  if (!input.memberExternalIds.length || input.memberExternalIds.length > 500) throw badInput('Name 1 to 500 users', 'memberExternalIds')
  const users = await usersByExternalIds(ctx, input.memberExternalIds, 'memberExternalIds')
  if (change === 'add')
    await db(ctx).groupMember.createMany({
      data: users.map((u) => ({ tenantId: TENANT_FROM_SCOPE, groupId: group.id, userId: u.id })),
      skipDuplicates: true,
    })
  else await db(ctx).groupMember.deleteMany({ where: { groupId: group.id, userId: { in: users.map((u) => u.id) } } })
  await announceGroupChange(
    ctx,
    group.id,
    users.map((u) => u.id),
    change === 'add' ? 'ADDED' : 'REMOVED',
  )
  return group
}

/** Most recent conversations of a group whose inboxes hear of a membership change. */
const GROUP_CHANGE_INBOX_LIMIT = 500

/**
 * After a group's members changed: live streams and inbox routing re-read who sees the group's
 * conversations (a removed operator's streams end), and the changed users' inboxes hear that the
 * group's conversations were added or removed (each node delivers only what their visibility says).
 */
async function announceGroupChange(ctx: Context, groupId: string, userIds: string[], reason: 'ADDED' | 'REMOVED') {
  ctx.app.broker.publish('membership', 'all', { groupId })
  const conversations = await db(ctx).conversationGroup.findMany({
    where: { groupId },
    select: { conversationId: true },
    orderBy: { conversation: { lastActivityAt: 'desc' } },
    take: GROUP_CHANGE_INBOX_LIMIT,
  })
  const reasons = Object.fromEntries(userIds.map((id) => [id, reason]))
  for (const { conversationId } of conversations) publishInbox(ctx, conversationId, reasons, null)
}
