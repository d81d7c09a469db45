// Who sees a conversation: ONE rule, from which every form the code needs is derived.
//
// A viewer reaches a conversation in one of three ways, and which ways their role opens is the rule:
//   oversight   — admins and services see every conversation of their tenant;
//   participant — anyone who takes part in it (joined, not left; an OBSERVER row grants nothing);
//   group       — operators whose group takes part in it.
// The role is always the token's (Viewer.role), never the stored one.
//
// The forms: a Prisma filter (lists, node loading), an SQL fragment (raw statements: unread counts,
// the send statement), an in-memory check against a membership snapshot (live fan-out, inbox routing),
// and an access record for one conversation (permission checks and the viewerCan* fields).
// test/visibility.test.ts checks on a table of cases that all forms agree.
import { Prisma } from '../generated/prisma/client.js'
import type { Role } from '../generated/prisma/enums.js'

export type Reach = 'oversight' | 'participant' | 'group'

/** The rule itself: which ways of reaching a conversation each role has. */
export const REACH: Readonly<Record<Role, ReadonlySet<Reach>>> = {
  ADMIN: new Set(['oversight', 'participant']),
  SERVICE: new Set(['oversight', 'participant']),
  OPERATOR: new Set(['participant', 'group']),
  MEMBER: new Set(['participant']),
}

export interface VisibilityViewer {
  userId: string
  role: Role
}

const reaches = (viewer: VisibilityViewer, reach: Reach) => REACH[viewer.role].has(reach)

/** An active participant row: joined, not left, and not a mere read-position (OBSERVER) row. */
export const ACTIVE_PARTICIPANT = { leftAt: null, role: { not: 'OBSERVER' } } as const

// ------------------------------------------------------------------------------------ Prisma filter

export function conversationWhere(viewer: VisibilityViewer): Prisma.ConversationWhereInput {
  if (reaches(viewer, 'oversight')) return {}
  const ways: Prisma.ConversationWhereInput[] = [{ participants: { some: { userId: viewer.userId, ...ACTIVE_PARTICIPANT } } }]
  if (reaches(viewer, 'group')) ways.push({ groups: { some: { group: { members: { some: { userId: viewer.userId } } } } } })
  return ways.length === 1 ? ways[0]! : { OR: ways }
}

// ------------------------------------------------------------------------------------- SQL fragment

/**
 * A boolean SQL expression: the viewer sees the conversation whose id is `conversationId` (an SQL
 * expression, e.g. Prisma.raw('c.id')). The caller keeps the tenant filter on the conversation itself.
 */
export function conversationSql(viewer: VisibilityViewer, conversationId: Prisma.Sql): Prisma.Sql {
  if (reaches(viewer, 'oversight')) return Prisma.sql`TRUE`
  const ways = [
    Prisma.sql`EXISTS (SELECT 1 FROM "Participant" vp WHERE vp."conversationId" = ${conversationId} AND vp."userId" = ${viewer.userId}::uuid AND vp."leftAt" IS NULL AND vp.role <> 'OBSERVER')`,
  ]
  if (reaches(viewer, 'group'))
    ways.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "ConversationGroup" vcg JOIN "GroupMember" vgm ON vgm."groupId" = vcg."groupId" WHERE vcg."conversationId" = ${conversationId} AND vgm."userId" = ${viewer.userId}::uuid)`,
    )
  return Prisma.sql`(${Prisma.join(ways, ' OR ')})`
}

// --------------------------------------------------------------------------------- in-memory check

/** Who takes part in a conversation, as a node keeps it for live delivery (src/timeline/membership.ts). */
export interface MembershipSnapshot {
  /** Active participants' user ids. */
  participants: ReadonlySet<string>
  /** The groups taking part, each with its members' user ids. */
  groups: ReadonlyMap<string, ReadonlySet<string>>
}

export function seesConversation(viewer: VisibilityViewer, membership: MembershipSnapshot): boolean {
  if (reaches(viewer, 'oversight')) return true
  if (membership.participants.has(viewer.userId)) return true
  if (reaches(viewer, 'group')) for (const members of membership.groups.values()) if (members.has(viewer.userId)) return true
  return false
}

/** User ids that may see the conversation through participation or a group, for any role that allows it (a superset; oversight roles come on top). */
export function possibleAudience(membership: MembershipSnapshot): Set<string> {
  const ids = new Set(membership.participants)
  for (const members of membership.groups.values()) for (const id of members) ids.add(id)
  return ids
}

// ----------------------------------------------------------------------- access record (one row)

/** How a viewer reaches one conversation. */
export interface ConversationAccess {
  oversees: boolean
  /** An active participant (joined, not left). */
  participant: boolean
  /** The participant who created it (GROUP owner). */
  owner: boolean
  /** Reaches it through one of their groups. */
  viaGroup: boolean
}

/** The Prisma selection accessFrom() needs, loaded alongside a conversation in the same query. */
export function accessSelection(viewer: VisibilityViewer) {
  return {
    participants: { where: { userId: viewer.userId }, select: { role: true, leftAt: true } },
    groups: { where: { group: { members: { some: { userId: viewer.userId } } } }, select: { groupId: true }, take: 1 },
  } satisfies Prisma.ConversationSelect
}

export function accessFrom(
  viewer: VisibilityViewer,
  loaded: { participants: Array<{ role: string; leftAt: Date | null }>; groups: Array<{ groupId: string }> },
): ConversationAccess {
  const own = loaded.participants[0]
  const participant = reaches(viewer, 'participant') && !!own && own.leftAt === null && own.role !== 'OBSERVER'
  return {
    oversees: reaches(viewer, 'oversight'),
    participant,
    owner: participant && own!.role === 'OWNER',
    viaGroup: reaches(viewer, 'group') && loaded.groups.length > 0,
  }
}

export const sees = (access: ConversationAccess) => access.oversees || access.participant || access.viaGroup

// ---------------------------------------------------------------------------- internal notes

/**
 * Internal notes (and their timeline events, typing of notes) are for staff: operators, admins and
 * services. End users (members) never see them — not in messages, lastMessage, unread counts, streams
 * or inboxes.
 */
export const seesInternal = (viewer: { role: Role }) => viewer.role !== 'MEMBER'

export function messageWhere(viewer: { role: Role }): Prisma.MessageWhereInput {
  return seesInternal(viewer) ? {} : { internal: false }
}
