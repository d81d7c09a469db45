import DataLoader from 'dataloader'
import { type Context, viewerOf } from '../../context.js'
import { unreadCounts } from '../../db/unread.js'

const loaders = new WeakMap<object, DataLoader<string, number>>()

/** The viewer's unread count in a conversation; batched: a page of conversations costs one query. */
export function unreadCount(ctx: Context, conversationId: string): Promise<number> {
  let loader = loaders.get(ctx)
  if (!loader) {
    const viewer = viewerOf(ctx)
    // Batches the loads of one tick into one query; no cache, because a subscription keeps its
    // context for hours and every event must see the count as it is now.
    loader = new DataLoader(
      async (ids: readonly string[]) => {
        const counts = await unreadCounts(ctx.app.prisma, viewer.tenantId, viewer.userId, ids)
        return ids.map((id) => counts.get(id) ?? 0)
      },
      { cache: false },
    )
    loaders.set(ctx, loader)
  }
  return loader.load(conversationId)
}
