import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { conversationWhere } from '../../auth/visibility.js'
import type { Prisma } from '../../generated/prisma/client.js'
import { idOf } from '../../global-id.js'
import { TenantSettingsRef } from './types.js'
import { settingsOf } from './service.js'

interface SupportCounts {
  open: number
  pending: number
  closed: number
  unassigned: number
  mine: number
}

const SupportCountsRef = builder.objectRef<SupportCounts>('SupportCounts').implement({
  description: 'SUPPORT conversations the viewer sees, by status; unassigned and mine count the open and pending ones',
  fields: (t) => ({
    open: t.exposeInt('open'),
    pending: t.exposeInt('pending'),
    closed: t.exposeInt('closed'),
    unassigned: t.exposeInt('unassigned'),
    mine: t.exposeInt('mine'),
  }),
})

builder.queryFields((t) => ({
  supportCounts: t.field({
    type: SupportCountsRef,
    description: "The operator's queue at a glance, optionally for one group",
    args: { groupId: t.arg.id() },
    resolve: async (_root, args, ctx) => {
      const viewer = viewerOf(ctx)
      const where: Prisma.ConversationWhereInput = {
        kind: 'SUPPORT',
        ...conversationWhere(viewer),
        ...(args.groupId && { groups: { some: { groupId: idOf('Group', args.groupId, 'groupId') } } }),
      }
      const active = { ...where, status: { not: 'CLOSED' as const } }
      const [byStatus, unassigned, mine] = await Promise.all([
        db(ctx).conversation.groupBy({ by: ['status'], where, _count: { _all: true } }),
        db(ctx).conversation.count({ where: { ...active, assigneeId: null } }),
        db(ctx).conversation.count({ where: { ...active, assigneeId: viewer.userId } }),
      ])
      const count = (status: string) => byStatus.find((r) => r.status === status)?._count._all ?? 0
      return { open: count('OPEN'), pending: count('PENDING'), closed: count('CLOSED'), unassigned, mine }
    },
  }),
  tenantSettings: t.field({
    type: TenantSettingsRef,
    description: "Your tenant's support inbox settings",
    resolve: (_root, _args, ctx) => settingsOf(ctx),
  }),
}))
