// The visibility rule is defined once (src/auth/visibility.ts) and used in four forms: a Prisma filter,
// an SQL fragment, an in-memory check against a membership snapshot, and an access record. On a table
// of cases seeded through the public API (every role × every way of reaching a conversation, or none),
// all four forms must give the same answer — and the one the rule's table states.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Prisma } from '../src/generated/prisma/client.js'
import {
  REACH,
  accessFrom,
  accessSelection,
  conversationSql,
  conversationWhere,
  sees,
  seesConversation,
  type VisibilityViewer,
} from '../src/auth/visibility.js'
import { loadMembership } from '../src/db/statements.js'
import { asTenant } from '../src/db/row-security.js'
import { decodeGlobalId } from '../src/global-id.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'
import { CreateConversationDocument, CreateGroupDocument, RemoveParticipantDocument, ViewerDocument } from '../client/generated/graphql.js'

let t: TestApp
let run: ReturnType<typeof client>
beforeAll(async () => {
  t = await startTestApp()
  run = client(t.graphqlUrl)
})
afterAll(() => t.stop())

const rowId = (globalId: string) => decodeGlobalId(globalId).id

describe('the visibility rule', () => {
  it('REACH: admins and services oversee, operators also reach through groups, members only by taking part', () => {
    expect(Object.fromEntries(Object.entries(REACH).map(([role, ways]) => [role, [...ways].sort()]))).toEqual({
      ADMIN: ['oversight', 'participant'],
      SERVICE: ['oversight', 'participant'],
      OPERATOR: ['group', 'participant'],
      MEMBER: ['participant'],
    })
  })

  it('the Prisma filter, the SQL fragment, the in-memory check and the access record agree on every case', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const admin = await w.user('admin', 'admin')
    // Users in every role, some in the support group; each later takes part, reaches through the group, has left, or has nothing.
    const users = await Promise.all(
      (['admin', 'service', 'operator', 'member'] as const).flatMap((role) =>
        ['part', 'group', 'left', 'none'].map((how) => w.user(`${role}-${how}`, role)),
      ),
    )
    const inGroup = users.filter((u) => u.externalId.endsWith('-group')).map((u) => u.externalId)
    const { createGroup } = (
      await run({
        document: CreateGroupDocument,
        token: admin.token,
        variables: { input: { name: 'support', memberExternalIds: inGroup } },
      })
    ).expectData()
    const participants = users.filter((u) => /-(part|left)$/.test(u.externalId)).map((u) => u.externalId)
    const { createConversation } = (
      await run({
        document: CreateConversationDocument,
        token: admin.token,
        variables: { input: { kind: 'SUPPORT', participantExternalIds: participants, groupIds: [createGroup.group.id] } },
      })
    ).expectData()
    const conversationGlobalId = createConversation.conversation.id
    for (const u of users.filter((u) => u.externalId.endsWith('-left')))
      (
        await run({
          document: RemoveParticipantDocument,
          token: admin.token,
          variables: { input: { conversationId: conversationGlobalId, participantExternalId: u.externalId } },
        })
      ).expectData()

    const { viewer } = (await run({ document: ViewerDocument, token: admin.token })).expectData()
    const tenantId = rowId(viewer.tenant.id)
    const conversationId = rowId(conversationGlobalId)
    const db = t.app.services.tenantDbs.for(tenantId)
    const prisma = t.app.services.prisma
    const membership = (await loadMembership(prisma, tenantId, conversationId))!

    const answers: Record<string, boolean[]> = {}
    for (const u of users) {
      const v: VisibilityViewer = { userId: rowId(u.id), role: u.role.toUpperCase() as VisibilityViewer['role'] }
      const byPrisma = (await db.conversation.count({ where: { id: conversationId, ...conversationWhere(v) } })) === 1
      const [{ visible: bySql }] = await asTenant(
        tenantId,
        () =>
          prisma.$queryRaw<
            [{ visible: boolean }]
          >`SELECT ${conversationSql(v, Prisma.raw('c.id'))} AS visible FROM "Conversation" c WHERE c.id = ${conversationId}::uuid`,
      )
      const inMemory = seesConversation(v, membership)
      const loaded = await db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: accessSelection(v) })
      const byAccess = sees(accessFrom(v, loaded))
      answers[u.externalId] = [byPrisma, bySql, inMemory, byAccess]
    }
    const expected = (externalId: string) => {
      const [role, how] = externalId.split('-')
      return role === 'admin' || role === 'service' || how === 'part' || (role === 'operator' && how === 'group')
    }
    expect(answers).toEqual(Object.fromEntries(users.map((u) => [u.externalId, Array(4).fill(expected(u.externalId))])))
  })
})
