// One context for HTTP, SSE and WebSocket. The viewer is filled in by @envelop/generic-auth
// (src/app.ts) before execution; everything tenant-owned is reached through db(ctx).
import type { Config } from './env.js'
import type { Logger } from './logger.js'
import type { PrismaClient } from './db/client.js'
import type { TenantDb, TenantDbCache } from './db/tenant-scope.js'
import type { Broker } from './realtime/pubsub.js'
import type { Viewer } from './auth/viewer.js'
import type { Metrics } from './server/metrics.js'
import type { RateLimits } from './limits/rate-limits.js'
import type { Outbox } from './outbox/enqueue.js'
import type { TimelineHub } from './timeline/hub.js'
import type { MembershipCache } from './timeline/membership.js'
import type { InboxRouter } from './modules/inbox/router.js'
import { unauthenticated } from './errors.js'

export interface AppServices {
  config: Config
  log: Logger
  prisma: PrismaClient
  tenantDbs: TenantDbCache
  broker: Broker
  /** Live timelines: one shared source per followed conversation on this node. */
  timeline: TimelineHub
  /** Who takes part in each conversation, as this node knows it (visibility checks in memory). */
  membership: MembershipCache
  inbox: InboxRouter
  metrics: Metrics
  limits: RateLimits
  /** Transactional outbox (graphile-worker): enqueue(tx, event) inside a service's transaction. */
  outbox: Outbox
  /** Aborted when the server shuts down: live streams end cleanly. */
  shutdown: AbortSignal
}

export interface Context {
  requestId: string
  log: Logger
  app: AppServices
  viewer: Viewer | null
  /** The HTTP request (HTTP and SSE; absent on WebSocket operations). */
  request?: Request
}

/** The viewer of an authenticated operation (root fields are protected, so one is always there). */
export function viewerOf(ctx: Context): Viewer {
  if (!ctx.viewer) throw unauthenticated()
  return ctx.viewer
}

/** The data layer bound to the viewer's tenant: the only way resolvers and services reach tenant data. */
export function db(ctx: Context): TenantDb {
  return ctx.app.tenantDbs.for(viewerOf(ctx).tenantId)
}
