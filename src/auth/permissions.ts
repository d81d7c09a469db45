// One permission vocabulary (`resource:verb`) drives both the checks in services and the viewerCan*
// fields the UI reads. Tenant permissions come from the role alone; conversation permissions also
// depend on how the viewer reaches the conversation (src/auth/visibility.ts, the one visibility rule).
import type { Role } from '../generated/prisma/enums.js'
import { sees, type ConversationAccess } from './visibility.js'

export type TenantPermission =
  | 'user:read'
  | 'user:upsert'
  | 'group:read'
  | 'group:manage'
  | 'conversation:create'
  /** Register webhook endpoints, read the delivery log, redeliver. */
  | 'webhook:manage'
  /** Send notifications to users of the tenant (publishNotification). */
  | 'notification:publish'

const TENANT_PERMISSIONS: Record<Role, ReadonlySet<TenantPermission>> = {
  ADMIN: new Set([
    'user:read',
    'user:upsert',
    'group:read',
    'group:manage',
    'conversation:create',
    'webhook:manage',
    'notification:publish',
  ]),
  SERVICE: new Set(['user:read', 'user:upsert', 'group:read', 'conversation:create', 'notification:publish']),
  OPERATOR: new Set(['user:read', 'group:read', 'conversation:create']),
  MEMBER: new Set(['user:read', 'conversation:create']),
}

export function can(viewer: { role: Role }, permission: TenantPermission): boolean {
  return TENANT_PERMISSIONS[viewer.role].has(permission)
}

export type ConversationPermission =
  | 'conversation:read'
  | 'conversation:update'
  | 'participant:manage'
  | 'message:send'
  | 'message:delete'
  /** SUPPORT: assign, transfer, close, reopen. */
  | 'conversation:assign'
  /** SUPPORT: take an unassigned conversation yourself. */
  | 'conversation:claim'
  /** Write an internal note. */
  | 'message:note'

export function canInConversation(viewer: { role: Role }, access: ConversationAccess, permission: ConversationPermission): boolean {
  switch (permission) {
    case 'conversation:read':
    case 'message:send':
      return sees(access)
    case 'conversation:update':
    case 'participant:manage':
      return access.oversees || access.owner || (sees(access) && viewer.role === 'OPERATOR')
    case 'message:delete':
      // Deleting someone else's message; everyone may delete their own.
      return sees(access) && viewer.role === 'ADMIN'
    case 'conversation:assign':
      return access.oversees || (access.viaGroup && viewer.role === 'OPERATOR')
    case 'conversation:claim':
      return (access.oversees && viewer.role === 'ADMIN') || (access.viaGroup && viewer.role === 'OPERATOR')
    case 'message:note':
      return sees(access) && (viewer.role === 'OPERATOR' || viewer.role === 'ADMIN')
  }
}

/** A message's own permissions, for the service checks and Message.viewerCan* alike. */
export function canOnMessage(
  viewer: { userId: string; role: Role },
  message: { senderId: string; deletedAt: Date | null },
  action: 'edit' | 'delete',
): boolean {
  if (message.deletedAt) return false
  if (message.senderId === viewer.userId) return true
  return action === 'delete' && viewer.role === 'ADMIN'
}
