// The schema: imports every file that defines types, then builds. Nothing else.
import { lexicographicSortSchema, printSchema } from 'graphql'
import { builder } from './builder.js'
import './modules/common/scalars.js'
import './modules/users/types.js'
import './modules/users/viewer.js'
import './modules/users/mutations.js'
import './modules/groups/types.js'
import './modules/groups/queries.js'
import './modules/groups/mutations.js'
import './modules/conversations/types.js'
import './modules/conversations/queries.js'
import './modules/conversations/mutations.js'
import './modules/messages/types.js'
import './modules/messages/queries.js'
import './modules/messages/mutations.js'
import './modules/conversations/events.js'
import './modules/conversations/subscriptions.js'
import './modules/conversations/signals.js'
import './modules/inbox/subscriptions.js'
import './modules/support/types.js'
import './modules/support/queries.js'
import './modules/support/mutations.js'
import './modules/common/json.js'
import './modules/notifications/types.js'
import './modules/notifications/queries.js'
import './modules/notifications/mutations.js'
import './modules/notifications/subscriptions.js'
import './modules/webhooks/types.js'
import './modules/webhooks/queries.js'
import './modules/webhooks/mutations.js'

builder.queryType({ description: 'Reads: every field needs a token and sees only its tenant', authScopes: { authenticated: true } })
builder.subscriptionType({ description: 'Live streams over graphql-ws or SSE, both at /graphql', authScopes: { authenticated: true } })
builder.mutationType({
  description: 'Writes: each authorizes, persists in one transaction, then publishes',
  authScopes: { authenticated: true },
})

export const schema = builder.toSchema()

export function printSortedSchema() {
  return printSchema(lexicographicSortSchema(schema)) + '\n'
}
