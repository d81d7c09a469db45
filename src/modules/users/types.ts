import { builder } from '../../builder.js'
import { Role } from '../../generated/prisma/enums.js'

export const RoleEnum = builder.enumType(Role, { name: 'Role', description: "A user's role in the tenant, from the token's role claim" })

export const UserRef = builder.prismaNode('User', {
  description: 'A person of the host platform: an end user, an operator or an admin of one tenant',
  // Loading a node that is not there (or not in the viewer's tenant) gives null, not an error.
  nullable: true,
  id: { field: 'id' },
  fields: (t) => ({
    externalId: t.exposeString('externalId', { description: "The user's id in the host platform" }),
    displayName: t.exposeString('displayName'),
    role: t.expose('role', { type: RoleEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
})
