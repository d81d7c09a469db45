// One permission vocabulary (`resource:verb`) drives both the checks in services and the viewerCan*
// fields the UI reads. Tenant permissions come from the role alone; conversation permissions also
// depend on how the viewer reaches the conversation.
import type { Role } from '../generated/prisma/enums.js'
import type { Viewer } from './viewer.js'

export type TenantPermission =
  | 'user:read'
  | 'user:upsert'
  | 'group:read'
  | 'group:manage'
  | 'conversation:create'
  /** See and act in every conversation of the tenant without taking part. */
  | 'conversation:oversee'
  /** Register webhook endpoints, read the delivery log, redeliver. */
  | 'webhook:manage'
  /** Send notifications to users of the tenant (publishNotification). */
  | 'notification:publish'

const TENANT_PERMISSIONS: Record<Role, ReadonlySet<TenantPermission>> = {
  ADMIN: new Set(['user:read', 'user:upsert', 'group:read', 'group:manage', 'conversation:create', 'conversation:oversee', 'webhook:manage', 'notification:publish']),
  SERVICE: new Set(['user:read', 'user:upsert', 'group:read', 'conversation:create', 'conversation:oversee', 'notification:publish']),
  OPERATOR: new Set(['user:read', 'group:read', 'conversation:create']),
  MEMBER: new Set(['user:read', 'conversation:create']),
}

export function can(viewer: Pick<Viewer, 'role'>, permission: TenantPermission): boolean {
  return TENANT_PERMISSIONS[viewer.role].has(permission)
}

export type ConversationPermission =
  | 'conversation:read'
  | 'conversation:update'
  | 'participant:manage'
  | 'message:send'
  | 'message:delete'

/** How a viewer reaches a conversation. */
export interface ConversationAccess {
  /** Admin or service: every conversation of the tenant. */
  oversees: boolean
  /** An active participant (joined, not left). */
  participant: boolean
  /** The participant who created it (GROUP owner). */
  owner: boolean
  /** An operator whose group takes part. */
  viaGroup: boolean
}

export function canInConversation(viewer: Pick<Viewer, 'role'>, access: ConversationAccess, permission: ConversationPermission): boolean {
  const sees = access.oversees || access.participant || access.viaGroup
  switch (permission) {
    case 'conversation:read':
    case 'message:send':
      return sees
    case 'conversation:update':
    case 'participant:manage':
      return access.oversees || access.owner || (sees && viewer.role === 'OPERATOR')
    case 'message:delete':
      // Deleting someone else's message; everyone may delete their own.
      return viewer.role === 'ADMIN'
  }
}
