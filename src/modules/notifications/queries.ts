import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { badInput } from '../../errors.js'
import { NotificationPreferencesRef, NotificationRef } from './types.js'
import { notificationPreferences, unreadNotificationCount } from './service.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A page cursor must name one of the viewer's own notifications (plugin-prisma cursors: GPC:S:<id>). */
async function checkCursor(ctx: Parameters<typeof db>[0], after: string | null | undefined) {
  if (!after) return
  const decoded = Buffer.from(after, 'base64').toString('utf8')
  const id = decoded.startsWith('GPC:S:') ? decoded.slice(6) : ''
  if (!UUID.test(id) || !(await db(ctx).notification.count({ where: { id, recipientId: viewerOf(ctx).userId } })))
    throw badInput('Invalid cursor', 'after')
}

builder.queryFields((t) => ({
  notifications: t.prismaConnection({
    type: NotificationRef,
    cursor: 'id',
    defaultSize: 20,
    maxSize: 100,
    description: "The viewer's notifications, newest first",
    args: { unreadOnly: t.arg.boolean() },
    resolve: async (query, _root, args, ctx) => {
      await checkCursor(ctx, args.after)
      return db(ctx).notification.findMany({
        ...query,
        where: { recipientId: viewerOf(ctx).userId, ...(args.unreadOnly && { readAt: null }) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      })
    },
  }),
  notificationUnreadCount: t.int({ resolve: (_root, _args, ctx) => unreadNotificationCount(ctx) }),
  notificationPreferences: t.field({ type: NotificationPreferencesRef, resolve: (_root, _args, ctx) => notificationPreferences(ctx) }),
}))
