// What each REST route answers with. SOFA builds a route's selection from the schema: every field of the
// returned type, following object fields until a type repeats — a message brought its conversation, the
// conversation its participants, groups, last message and a page of messages, and so on (50 messages were
// 329 KB over REST against 8.8 KB over GraphQL). REST therefore sees a narrower view of the schema: the
// types listed in REST_FIELDS keep only those fields there, so every route that returns them (lists,
// single objects, mutation payloads) selects that lean shape, and the OpenAPI document describes it. The
// operations SOFA builds from the view run against the real schema (the view is a subset of it: same
// names, arguments and types), through the same context and plugins as /graphql.
import { buildASTSchema, parse, printSchema, visit, type GraphQLSchema } from 'graphql'
import type { Plugin, YogaServerInstance } from 'graphql-yoga'
import { useSofa } from '@graphql-yoga/plugin-sofa'

/**
 * The REST shape of the types that link to others. Related objects come as their own lean shape, one
 * level deep (a message's sender is a User: id, externalId, displayName, role). What is left out is one
 * request away: a conversation's messages at GET /rest/messages?conversationId=…, its participants and
 * groups through /graphql.
 */
export const REST_FIELDS: Record<string, readonly string[]> = {
  Message: ['id', 'seq', 'body', 'clientMessageId', 'internal', 'sender', 'createdAt', 'editedAt', 'deletedAt'],
  User: ['id', 'externalId', 'displayName', 'role'],
  Conversation: [
    'id',
    'kind',
    'subject',
    'status',
    'assignee',
    'lastSeq',
    'unreadCount',
    'viewerLastReadSeq',
    'lastMessage',
    'version',
    'contextType',
    'contextId',
    'waitingSince',
    'createdAt',
    'updatedAt',
    'lastActivityAt',
  ],
}

/** The schema as REST sees it: REST_FIELDS applied. A listed field the schema lacks is a bug, found at start. */
export function restView(schema: GraphQLSchema): GraphQLSchema {
  for (const [typeName, fields] of Object.entries(REST_FIELDS)) {
    const type = schema.getType(typeName)
    const missing = fields.filter((f) => !type || !('getFields' in type) || !(f in type.getFields()))
    if (missing.length) throw new Error(`REST_FIELDS names fields ${typeName} does not have: ${missing.join(', ')}`)
  }
  const document = visit(parse(printSchema(schema)), {
    ObjectTypeDefinition(node) {
      const keep = REST_FIELDS[node.name.value]
      return keep ? { ...node, fields: node.fields?.filter((f) => keep.includes(f.name.value)) } : undefined
    },
  })
  return buildASTSchema(document, { assumeValidSDL: true })
}

/**
 * Yoga's SOFA plugin, given the REST view to build routes and OpenAPI from. It executes with the schema
 * it was given, so the executor it gets runs each operation on the real schema instead.
 */
export function useLeanSofa(config: Parameters<typeof useSofa>[0]): Plugin {
  const sofa = useSofa(config) as Required<Pick<Plugin, 'onYogaInit' | 'onSchemaChange' | 'onRequest'>>
  return {
    onYogaInit({ yoga }) {
      const onRealSchema = (serverContext: Parameters<typeof yoga.getEnveloped>[0]) => {
        const enveloped = yoga.getEnveloped(serverContext)
        return {
          ...enveloped,
          execute: (args: Parameters<typeof enveloped.execute>[0]) => enveloped.execute({ ...args, schema: enveloped.schema }),
          subscribe: (args: Parameters<typeof enveloped.subscribe>[0]) => enveloped.subscribe({ ...args, schema: enveloped.schema }),
        }
      }
      sofa.onYogaInit({ yoga: Object.create(yoga, { getEnveloped: { value: onRealSchema } }) as YogaServerInstance<object, object> })
    },
    onSchemaChange(payload) {
      sofa.onSchemaChange({ ...payload, schema: restView(payload.schema) })
    },
    onRequest: sofa.onRequest,
  }
}
