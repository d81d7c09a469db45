// One context for HTTP, SSE and WebSocket. The viewer is filled in by @envelop/generic-auth
// (src/auth/plugin.ts) before execution; everything tenant-owned is reached through db(ctx).
import type { Config } from './env.js'
import type { Logger } from './logger.js'
import type { PrismaClient } from './db/client.js'
import type { TenantDb, TenantDbCache } from './db/tenant-scope.js'
import type { Broker } from './realtime/pubsub.js'
import type { Viewer } from './auth/viewer.js'
import type { Metrics } from './server/metrics.js'
import type { RateLimits } from './limits/rate-limits.js'
import { unauthenticated } from './errors.js'

export interface AppServices {
  config: Config
  log: Logger
  prisma: PrismaClient
  tenantDbs: TenantDbCache
  broker: Broker
  metrics: Metrics
  limits: RateLimits
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
  /** Set by a subscription's resolve: the SSE `id:` of the event being sent. */
  eventId?: number
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
