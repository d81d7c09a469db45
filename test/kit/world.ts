// A seeded tenant with signed-in users: the usual starting point of a messaging test.
import { CreateConversationDocument, MessagesDocument, ViewerDocument } from '../../client/generated/graphql.js'
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
    /** A GROUP conversation created by `owner` with `others` (external ids); its global id. */
    async groupConversation(owner: TestUser, others: string[]): Promise<string> {
      const variables = { input: { kind: 'GROUP' as const, participantExternalIds: others } }
      return (await run({ document: CreateConversationDocument, token: owner.token, variables })).expectData().createConversation
        .conversation.id
    },
    /** The conversation's messages (up to 200) as the server holds them, in seq order. */
    async messages(viewer: TestUser, conversationId: string): Promise<Array<{ seq: number; body: string | null }>> {
      const data = (await run({ document: MessagesDocument, token: viewer.token, variables: { conversationId, first: 200 } })).expectData()
      return data.conversation!.messages.edges.map((e) => ({ seq: e.node.seq, body: e.node.body }))
    },
  }
}
