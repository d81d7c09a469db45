import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { coalescingStream } from '../../realtime/streams.js'
import { NotificationRef } from './types.js'

builder.subscriptionField('notificationAdded', (t) =>
  t.field({
    type: NotificationRef,
    nullable: false,
    description: 'Each new notification of the viewer, live (graphql-ws or SSE); not replayed: query notifications after a reconnect',
    subscribe: (_root, _args, ctx) => {
      const viewer = viewerOf(ctx)
      const { broker, metrics, shutdown } = ctx.app
      return coalescingStream<{ notificationId: string }>({ expiresAt: viewer.expiresAt, shutdown }, metrics, 'notificationAdded', {
        listen: (push) => broker.subscribe('notification', viewer.userId, push),
        // Authorized per event: the row must exist for this viewer (tenant scope + recipient).
        accept: async ({ notificationId }) =>
          (await db(ctx).notification.count({ where: { id: notificationId, recipientId: viewer.userId } })) > 0,
        coalesceKey: ({ notificationId }) => notificationId,
      })
    },
    resolve: ({ notificationId }, _args, ctx) =>
      db(ctx).notification.findFirstOrThrow({ where: { id: notificationId, recipientId: viewerOf(ctx).userId } }),
  }),
)
