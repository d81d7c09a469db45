// Notifications: one row per recipient. createNotifications is the one way in — for
// publishNotification (host platform backends and admins) and for the rules (src/.../rules.ts) — and
// it honours preferences, idempotency keys and collapse keys, enqueues `notification.created` in the
// same transaction (webhooks), and publishes to each recipient after commit.
import { type AppServices, type Context, db, viewerOf } from '../../context.js'
import { can } from '../../auth/permissions.js'
import { badInput, forbidden } from '../../errors.js'
import { TENANT_FROM_SCOPE } from '../../db/tenant-scope.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { usersByExternalIds } from '../users/service.js'
import { notificationCreatedEvent } from '../webhooks/events.js'

export interface NotificationDraft {
  type: string
  title: string
  body?: string | null
  data?: unknown
  entityType?: string | null
  entityId?: string | null
  idempotencyKey?: string | null
  collapseKey?: string | null
}

const TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/
const MAX_DATA_BYTES = 16 * 1024

/**
 * Creates `draft` for each recipient who has not muted its type (or its conversation), skipping those
 * who already have a row with the same idempotencyKey or unread collapseKey. Returns the rows created.
 */
export async function createNotifications(
  app: AppServices,
  tenantId: string,
  recipients: ReadonlyArray<{ id: string; externalId: string }>,
  draft: NotificationDraft,
  source: 'publish' | 'rule',
) {
  const tenantDb = app.tenantDbs.for(tenantId)
  const prefs = await tenantDb.notificationPreference.findMany({ where: { userId: { in: recipients.map((r) => r.id) } } })
  const muted = new Set(
    prefs
      .filter(
        (p) =>
          p.mutedTypes.includes(draft.type) ||
          (draft.entityType === 'Conversation' && draft.entityId && p.mutedConversationIds.includes(draft.entityId)),
      )
      .map((p) => p.userId),
  )
  const wanted = recipients.filter((r) => !muted.has(r.id))
  if (!wanted.length) return []
  const created = await tenantDb.$transaction(async (tx) => {
    const rows = await tx.notification.createManyAndReturn({
      data: wanted.map((r) => ({
        tenantId: TENANT_FROM_SCOPE,
        recipientId: r.id,
        type: draft.type,
        title: draft.title,
        body: draft.body ?? null,
        data: (draft.data ?? undefined) as Prisma.InputJsonValue | undefined,
        entityType: draft.entityType ?? null,
        entityId: draft.entityId ?? null,
        idempotencyKey: draft.idempotencyKey ?? null,
        collapseKey: draft.collapseKey ?? null,
      })),
      skipDuplicates: true,
    })
    for (const row of rows)
      await app.outbox.enqueue(
        tx,
        notificationCreatedEvent(
          tenantId,
          row,
          wanted.find((r) => r.id === row.recipientId)!,
        ),
      )
    return rows
  })
  // After commit: only the recipient's own stream hears of it.
  for (const row of created) app.broker.publish('notification', row.recipientId, { notificationId: row.id })
  if (created.length) app.metrics.notificationsCreated.inc({ source }, created.length)
  return created
}

export interface PublishNotificationInput {
  recipientExternalIds: readonly string[]
  type: string
  title: string
  body?: string | null
  data?: unknown
  idempotencyKey: string
}

/** For the host platform's backends (service) and admins. The same idempotencyKey creates nothing new. */
export async function publishNotification(ctx: Context, input: PublishNotificationInput) {
  const viewer = viewerOf(ctx)
  if (!can(viewer, 'notification:publish')) throw forbidden('Only services and admins publish notifications')
  if (!input.recipientExternalIds.length || input.recipientExternalIds.length > 1000)
    throw badInput('Name 1 to 1000 recipients', 'recipientExternalIds')
  if (!TYPE.test(input.type)) throw badInput('type must be 1 to 100 characters: letters, digits, _ . : -', 'type')
  const title = input.title.trim()
  if (!title || title.length > 200) throw badInput('title must be 1 to 200 characters', 'title')
  if (input.body && input.body.length > 5000) throw badInput('body must be at most 5000 characters', 'body')
  if (input.data !== undefined && input.data !== null && Buffer.byteLength(JSON.stringify(input.data)) > MAX_DATA_BYTES)
    throw badInput(`data must be at most ${MAX_DATA_BYTES} bytes of JSON`, 'data')
  const idempotencyKey = input.idempotencyKey.trim()
  if (!idempotencyKey || idempotencyKey.length > 200) throw badInput('idempotencyKey must be 1 to 200 characters', 'idempotencyKey')
  const recipients = await usersByExternalIds(ctx, input.recipientExternalIds, 'recipientExternalIds')
  const created = await createNotifications(
    ctx.app,
    viewer.tenantId,
    recipients,
    { type: input.type, title, body: input.body ?? null, data: input.data ?? null, idempotencyKey },
    'publish',
  )
  // Replays (and concurrent duplicates) answer with the rows the key already created.
  const all = await db(ctx).notification.findMany({
    where: { idempotencyKey, recipientId: { in: recipients.map((r) => r.id) } },
    orderBy: { createdAt: 'asc' },
  })
  return { notifications: all, createdCount: created.length }
}

/** Marks the viewer's notifications read: the ids given (other ids are ignored), or all. */
export async function markNotificationsRead(ctx: Context, input: { ids?: readonly string[] | null; all?: boolean | null }) {
  const viewer = viewerOf(ctx)
  if (!input.all === !input.ids) throw badInput('Give either ids or all: true', input.ids ? 'all' : 'ids')
  if (input.ids && input.ids.length > 500) throw badInput('At most 500 ids at once', 'ids')
  const { count } = await db(ctx).notification.updateMany({
    where: { recipientId: viewer.userId, readAt: null, ...(input.ids && { id: { in: [...input.ids] } }) },
    // Read: the collapse key is released, so the next rule-produced notification starts a new row.
    data: { readAt: new Date(), collapseKey: null },
  })
  return { markedCount: count, unreadCount: await unreadNotificationCount(ctx) }
}

export function unreadNotificationCount(ctx: Context) {
  return db(ctx).notification.count({ where: { recipientId: viewerOf(ctx).userId, readAt: null } })
}

export async function notificationPreferences(ctx: Context) {
  const viewer = viewerOf(ctx)
  return (
    (await db(ctx).notificationPreference.findFirst({ where: { userId: viewer.userId } })) ?? { mutedTypes: [], mutedConversationIds: [] }
  )
}

export async function updateNotificationPreferences(
  ctx: Context,
  input: { mutedTypes?: readonly string[] | null; mutedConversationIds?: readonly string[] | null },
) {
  const viewer = viewerOf(ctx)
  const mutedTypes = input.mutedTypes ? [...new Set(input.mutedTypes)] : undefined
  if (mutedTypes && (mutedTypes.length > 100 || mutedTypes.some((t) => !TYPE.test(t))))
    throw badInput('At most 100 valid types', 'mutedTypes')
  const mutedConversationIds = input.mutedConversationIds ? [...new Set(input.mutedConversationIds)] : undefined
  if (mutedConversationIds && mutedConversationIds.length > 1000) throw badInput('At most 1000 conversations', 'mutedConversationIds')
  return db(ctx).notificationPreference.upsert({
    where: { tenantId_userId: { tenantId: viewer.tenantId, userId: viewer.userId } },
    create: {
      tenantId: viewer.tenantId,
      userId: viewer.userId,
      mutedTypes: mutedTypes ?? [],
      mutedConversationIds: mutedConversationIds ?? [],
    },
    update: { ...(mutedTypes && { mutedTypes }), ...(mutedConversationIds && { mutedConversationIds }) },
  })
}
