// The permission vocabulary as tables: which tenant permissions each role holds, and which conversation
// permissions each way of reaching a conversation opens. The expected tables are written out here, not
// derived from src/auth/permissions.ts, so a change to the rule has to change this file too.
import { describe, expect, it } from 'vitest'
import { can, canInConversation, canOnMessage, type ConversationPermission, type TenantPermission } from '../../src/auth/permissions.js'
import type { ConversationAccess } from '../../src/auth/visibility.js'
import type { Role } from '../../src/generated/prisma/enums.js'

// `satisfies Record<…>`: a permission added to the vocabulary and not to these tables fails the typecheck.
const TENANT_PERMISSIONS = Object.keys({
  'user:read': 1,
  'user:upsert': 1,
  'group:read': 1,
  'group:manage': 1,
  'conversation:create': 1,
  'webhook:manage': 1,
  'notification:publish': 1,
} satisfies Record<TenantPermission, 1>) as TenantPermission[]

const CONVERSATION_PERMISSIONS = Object.keys({
  'conversation:read': 1,
  'conversation:update': 1,
  'participant:manage': 1,
  'message:send': 1,
  'message:delete': 1,
  'conversation:assign': 1,
  'conversation:claim': 1,
  'message:note': 1,
} satisfies Record<ConversationPermission, 1>) as ConversationPermission[]

describe('tenant permissions come from the role alone', () => {
  it.each<[Role, TenantPermission[]]>([
    ['ADMIN', ['user:read', 'user:upsert', 'group:read', 'group:manage', 'conversation:create', 'webhook:manage', 'notification:publish']],
    ['SERVICE', ['user:read', 'user:upsert', 'group:read', 'conversation:create', 'notification:publish']],
    ['OPERATOR', ['user:read', 'group:read', 'conversation:create']],
    ['MEMBER', ['user:read', 'conversation:create']],
  ])('%s holds exactly %j', (role, granted) => {
    expect(TENANT_PERMISSIONS.filter((p) => can({ role }, p))).toEqual(granted)
  })
})

const access = (fields: Partial<ConversationAccess>): ConversationAccess => ({
  oversees: false,
  participant: false,
  owner: false,
  viaGroup: false,
  ...fields,
})

describe('conversation permissions depend on the role and on how the viewer reaches the conversation', () => {
  it.each<[string, Role, ConversationAccess, ConversationPermission[]]>([
    [
      'an admin overseeing it',
      'ADMIN',
      access({ oversees: true }),
      [
        'conversation:read',
        'conversation:update',
        'participant:manage',
        'message:send',
        'message:delete',
        'conversation:assign',
        'conversation:claim',
        'message:note',
      ],
    ],
    [
      'a service overseeing it',
      'SERVICE',
      access({ oversees: true }),
      ['conversation:read', 'conversation:update', 'participant:manage', 'message:send', 'conversation:assign'],
    ],
    ['a member taking part', 'MEMBER', access({ participant: true }), ['conversation:read', 'message:send']],
    [
      'a member who created it (owner)',
      'MEMBER',
      access({ participant: true, owner: true }),
      ['conversation:read', 'conversation:update', 'participant:manage', 'message:send'],
    ],
    [
      'an operator taking part',
      'OPERATOR',
      access({ participant: true }),
      ['conversation:read', 'conversation:update', 'participant:manage', 'message:send', 'message:note'],
    ],
    [
      'an operator reaching it through a group',
      'OPERATOR',
      access({ viaGroup: true }),
      [
        'conversation:read',
        'conversation:update',
        'participant:manage',
        'message:send',
        'conversation:assign',
        'conversation:claim',
        'message:note',
      ],
    ],
    ['a member who does not reach it', 'MEMBER', access({}), []],
    ['an operator who does not reach it', 'OPERATOR', access({}), []],
    ['an admin without oversight (not a real case: the rule still grants nothing)', 'ADMIN', access({}), []],
  ])('%s', (_who, role, reach, granted) => {
    expect(CONVERSATION_PERMISSIONS.filter((p) => canInConversation({ role }, reach, p))).toEqual(granted)
  })
})

describe("a message's own permissions", () => {
  const own = { userId: 'u1' }
  const live = { senderId: 'u1', deletedAt: null }
  const deleted = { senderId: 'u1', deletedAt: new Date() }
  const others = { senderId: 'u2', deletedAt: null }

  it('the sender edits and deletes their own message, whatever their role', () => {
    for (const role of ['ADMIN', 'SERVICE', 'OPERATOR', 'MEMBER'] as const) {
      expect([canOnMessage({ ...own, role }, live, 'edit'), canOnMessage({ ...own, role }, live, 'delete')]).toEqual([true, true])
    }
  })

  it("only an admin deletes someone else's message; nobody edits it", () => {
    expect(
      (['ADMIN', 'SERVICE', 'OPERATOR', 'MEMBER'] as const).map((role) => [
        role,
        canOnMessage({ ...own, role }, others, 'delete'),
        canOnMessage({ ...own, role }, others, 'edit'),
      ]),
    ).toEqual([
      ['ADMIN', true, false],
      ['SERVICE', false, false],
      ['OPERATOR', false, false],
      ['MEMBER', false, false],
    ])
  })

  it('a deleted message can be neither edited nor deleted again, not even by its sender or an admin', () => {
    expect([
      canOnMessage({ ...own, role: 'MEMBER' }, deleted, 'edit'),
      canOnMessage({ ...own, role: 'ADMIN' }, deleted, 'delete'),
      canOnMessage({ userId: 'u9', role: 'ADMIN' }, deleted, 'delete'),
    ]).toEqual([false, false, false])
  })
})
