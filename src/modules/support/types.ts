import { builder } from '../../builder.js'
import { ReplyPolicy } from '../../generated/prisma/enums.js'
import type { TenantSettings } from './service.js'

export const ReplyPolicyEnum = builder.enumType(ReplyPolicy, {
  name: 'ReplyPolicy',
  description: 'Who among the operators may reply in a SUPPORT conversation',
})

export const TenantSettingsRef = builder.objectRef<TenantSettings>('TenantSettings').implement({
  description: "The support inbox's settings of the viewer's tenant",
  fields: (t) => ({
    replyPolicy: t.field({ type: ReplyPolicyEnum, resolve: (s) => s.replyPolicy }),
    operatorCapacity: t.int({ nullable: true, resolve: (s) => s.operatorCapacity }),
    unassignOnReopen: t.boolean({ resolve: (s) => s.unassignOnReopen }),
  }),
})
