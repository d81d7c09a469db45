// A seeded tenant with signed-in users: the usual starting point of a messaging test.
import { ViewerDocument } from '../../client/generated/graphql.js'
import { client } from './execute.js'
import { seedTenant, type RoleClaim } from './tokens.js'

export interface TestUser {
  token: string
  /** Global id of the User. */
  id: string
  externalId: string
  role: RoleClaim
}

export function tenantWorld(graphqlUrl: string, prefix = 'tenant') {
  const tenant = seedTenant(prefix)
  const run = client(graphqlUrl)
  return {
    tid: tenant.tid,
    /** Signs a user in (provisioning them) and returns their token and ids. */
    async user(externalId: string, role: RoleClaim = 'member'): Promise<TestUser> {
      const token = await tenant.token(externalId, role)
      const { viewer } = (await run({ document: ViewerDocument, token })).expectData()
      return { token, id: viewer.user.id, externalId, role }
    },
  }
}
