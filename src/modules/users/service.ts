import { type Context, db, viewerOf } from '../../context.js'
import { can } from '../../auth/permissions.js'
import { badInput, forbidden } from '../../errors.js'
import type { Role } from '../../generated/prisma/enums.js'

export interface UpsertUserInput {
  externalId: string
  displayName: string
  role: Role
}

/** Creates or updates a user of the viewer's tenant ahead of their first sign-in. */
export async function upsertUser(ctx: Context, input: UpsertUserInput, query: object = {}) {
  if (!can(viewerOf(ctx), 'user:upsert')) throw forbidden()
  const externalId = input.externalId.trim()
  const displayName = input.displayName.trim()
  if (!externalId || externalId.length > 255) throw badInput('externalId must be 1 to 255 characters', 'externalId')
  if (!displayName || displayName.length > 200) throw badInput('displayName must be 1 to 200 characters', 'displayName')
  const tenantId = viewerOf(ctx).tenantId
  return db(ctx).user.upsert({
    ...query,
    where: { tenantId_externalId: { tenantId, externalId } },
    create: { tenantId, externalId, displayName, role: input.role },
    update: { displayName, role: input.role },
  })
}

/** Users of the viewer's tenant by their host-platform ids; BAD_USER_INPUT naming any unknown one. */
export async function usersByExternalIds(ctx: Context, externalIds: readonly string[], field: string) {
  const wanted = [...new Set(externalIds)]
  const users = await db(ctx).user.findMany({ where: { externalId: { in: wanted } }, select: { id: true, externalId: true, role: true } })
  const unknown = wanted.filter((id) => !users.some((u) => u.externalId === id))
  if (unknown.length) throw badInput(`Unknown user(s): ${unknown.slice(0, 10).join(', ')}`, field)
  return users
}
