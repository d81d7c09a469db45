// PostgreSQL row-level security: a second wall behind the tenant-bound client (src/db/tenant-scope.ts).
// With ROW_LEVEL_SECURITY=on, every connection of the app's pool runs as the role `switchboard_app`
// (no BYPASSRLS), and every tenant-owned table has a policy that lets a statement see and write only the
// rows of the tenant named by the session setting `switchboard.tenant_id`. The setting follows the code:
// work done for a tenant runs inside `asTenant(tenantId, …)` (the tenant-bound client and the raw
// statements do this themselves), and before each statement the connection's setting is brought in
// line with it — to the empty string (no rows at all) for work done for no tenant. So a query that
// forgot its tenant filter (as a cursor subquery once did) still cannot read or write another tenant's
// rows. Policies and the role come from the migration `row_level_security`.
import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'

const tenantOfWork = new AsyncLocalStorage<string>()

/** Runs `work` for `tenantId`: with row-level security on, its statements see only that tenant's rows. */
export function asTenant<T>(tenantId: string, work: () => PromiseLike<T>): Promise<T> {
  // Awaited inside: Prisma's promises start their query when awaited, which must happen in this context.
  return tenantOfWork.run(tenantId, async () => await work())
}

export const APP_ROLE = 'switchboard_app'

// Statements that touch no rows: they keep whatever the connection has.
const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET\s|SELECT\s+1\b|DEALLOCATE)/i
const RESETS = /^\s*ROLLBACK/i

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's query() is overloaded; this wraps every overload
type Queryable = { query: (...args: any[]) => any }

const TENANT = Symbol('switchboard tenant')

/** Makes every client of `pool` run as the app role and follow the tenant of the work it runs. */
export function enforceRowSecurity(pool: pg.Pool) {
  // pool.query runs the statement in a callback of whichever code releases a connection (pg-pool keeps
  // no async context): take the tenant where the statement is asked for, and carry it with it.
  const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown
  ;(pool as unknown as { query: (...args: unknown[]) => unknown }).query = (config: unknown, ...rest: unknown[]) => {
    const tenant = tenantOfWork.getStore() ?? ''
    const carried = typeof config === 'string' ? { text: config } : { ...(config as object) }
    Object.defineProperty(carried, TENANT, { value: tenant, enumerable: false })
    return poolQuery(carried, ...rest)
  }
  pool.on('connect', (client) => {
    const raw = client as unknown as Queryable & { switchboardTenant?: string; switchboardRoleError?: Error }
    const query = raw.query.bind(raw)
    // Queued before anything else this connection runs (pg runs a client's queries in order). If the
    // role cannot be taken, the connection refuses every statement rather than run without the wall.
    query(`SET ROLE ${APP_ROLE}`).catch((e: Error) => (raw.switchboardRoleError = e))
    raw.query = (config: unknown, ...rest: unknown[]) => {
      if (raw.switchboardRoleError) {
        const error = new Error(`row-level security: cannot act as ${APP_ROLE}: ${raw.switchboardRoleError.message}`)
        const callback = rest[rest.length - 1]
        if (typeof callback === 'function') return void process.nextTick(() => (callback as (e: Error) => void)(error))
        return Promise.reject(error)
      }
      const text = typeof config === 'string' ? config : ((config as { text?: string })?.text ?? '')
      if (!CONTROL.test(text)) {
        const carried = typeof config === 'object' && config !== null ? (config as { [TENANT]?: string })[TENANT] : undefined
        const tenant = carried ?? tenantOfWork.getStore() ?? ''
        if (raw.switchboardTenant !== tenant) {
          raw.switchboardTenant = tenant
          // A setting changed inside a transaction that rolls back is undone: forget it then (below).
          query({ text: "SELECT set_config('switchboard.tenant_id', $1, false)", values: [tenant] }).catch(
            () => (raw.switchboardTenant = undefined),
          )
        }
      } else if (RESETS.test(text)) raw.switchboardTenant = undefined
      return query(config, ...rest)
    }
  })
}
