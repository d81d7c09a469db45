import DataLoader from 'dataloader'
import { type AppServices, type Context, viewerOf } from '../../context.js'
import { unreadCounts } from '../../db/statements.js'
import { seesInternal } from '../../auth/visibility.js'

const loaders = new WeakMap<AppServices, DataLoader<string, number>>()

/**
 * The viewer's unread count in a conversation. Batched per tick across every request and subscription
 * of the node, so a page of conversations, or one event fanned out to many inboxes, costs one query.
 * No cache: a subscription lives for hours and every event must see the count as it is now.
 */
export function unreadCount(ctx: Context, conversationId: string): Promise<number> {
  let loader = loaders.get(ctx.app)
  if (!loader) {
    const prisma = ctx.app.prisma
    loader = new DataLoader(
      async (keys: readonly string[]) => {
        const byTenant = new Map<string, Array<{ userId: string; conversationId: string; seesInternal: boolean }>>()
        for (const key of keys) {
          const [tenantId, userId, conversationId, staff] = key.split(':') as [string, string, string, string]
          if (!byTenant.has(tenantId)) byTenant.set(tenantId, [])
          byTenant.get(tenantId)!.push({ userId, conversationId, seesInternal: staff === '1' })
        }
        const counts = new Map<string, number>()
        for (const [tenantId, pairs] of byTenant)
          for (const [k, n] of await unreadCounts(prisma, tenantId, pairs)) counts.set(`${tenantId}:${k}`, n)
        return keys.map((key) => counts.get(key.slice(0, key.lastIndexOf(':'))) ?? 0)
      },
      { cache: false, maxBatchSize: 1000 },
    )
    loaders.set(ctx.app, loader)
  }
  const viewer = viewerOf(ctx)
  return loader.load(`${viewer.tenantId}:${viewer.userId}:${conversationId}:${seesInternal(viewer) ? 1 : 0}`)
}
