import { builder } from '../../builder.js'
import { NotificationPreferencesRef, NotificationRef } from './types.js'
import { ConversationRef } from '../conversations/types.js'
import { markNotificationsRead, publishNotification, updateNotificationPreferences } from './service.js'

const PublishNotificationInput = builder.inputType('PublishNotificationInput', {
  fields: (t) => ({
    recipientExternalIds: t.stringList({ required: true }),
    type: t.string({ required: true, description: 'Your own vocabulary, e.g. invoice.paid; users can mute a type' }),
    title: t.string({ required: true }),
    body: t.string(),
    data: t.field({ type: 'JSON' }),
    idempotencyKey: t.string({ required: true, description: 'The same key never creates a second notification for a recipient' }),
  }),
})
const MarkNotificationsReadInput = builder.inputType('MarkNotificationsReadInput', {
  fields: (t) => ({ ids: t.globalIDList({ for: NotificationRef }), all: t.boolean() }),
})
const UpdateNotificationPreferencesInput = builder.inputType('UpdateNotificationPreferencesInput', {
  fields: (t) => ({
    mutedTypes: t.stringList({ description: 'Replaces the muted types when given' }),
    mutedConversationIds: t.globalIDList({ description: 'Replaces the muted conversations when given', for: ConversationRef }),
  }),
})

type Row = Awaited<ReturnType<typeof publishNotification>>['notifications'][number]
const PublishNotificationPayload = builder
  .objectRef<{ notifications: Row[]; createdCount: number }>('PublishNotificationPayload')
  .implement({
    fields: (t) => ({
      notifications: t.field({ type: [NotificationRef], nullable: { list: false, items: false }, resolve: (p) => p.notifications }),
      createdCount: t.exposeInt('createdCount', { description: '0 when the idempotencyKey was used before' }),
    }),
  })
const MarkNotificationsReadPayload = builder
  .objectRef<{ markedCount: number; unreadCount: number }>('MarkNotificationsReadPayload')
  .implement({
    fields: (t) => ({ markedCount: t.exposeInt('markedCount'), unreadCount: t.exposeInt('unreadCount') }),
  })
const UpdateNotificationPreferencesPayload = builder
  .objectRef<{ preferences: { mutedTypes: string[]; mutedConversationIds: string[] } }>('UpdateNotificationPreferencesPayload')
  .implement({
    fields: (t) => ({ preferences: t.field({ type: NotificationPreferencesRef, resolve: (p) => p.preferences }) }),
  })

builder.mutationFields((t) => ({
  publishNotification: t.field({
    type: PublishNotificationPayload,
    description: 'Notifies users of the tenant (services and admins); idempotent by idempotencyKey',
    args: { input: t.arg({ type: PublishNotificationInput, required: true }) },
    resolve: (_root, { input }, ctx) => publishNotification(ctx, input),
  }),
  markNotificationsRead: t.field({
    type: MarkNotificationsReadPayload,
    args: { input: t.arg({ type: MarkNotificationsReadInput, required: true }) },
    resolve: (_root, { input }, ctx) => markNotificationsRead(ctx, { ids: input.ids?.map((g) => g.id), all: input.all }),
  }),
  updateNotificationPreferences: t.field({
    type: UpdateNotificationPreferencesPayload,
    description: 'Mutes notification types and conversations for the viewer',
    args: { input: t.arg({ type: UpdateNotificationPreferencesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      preferences: await updateNotificationPreferences(ctx, {
        mutedTypes: input.mutedTypes,
        mutedConversationIds: input.mutedConversationIds?.map((g) => g.id),
      }),
    }),
  }),
}))
