// Tenant scoping in one place. Every read and write of a tenant-owned model made through a TenantDb
// carries `tenantId = <the viewer's tenant>`: added to every filter and forced onto every row written.
// Resolvers and services never write a tenant filter by hand, so none can forget one. Nested writes are
// not scoped by this layer: services write each model through its own delegate instead.
import { getDatamodel } from '../generated/pothos-types.js'
import type { PrismaClient } from './client.js'
import { asTenant } from './row-security.js'

export const TENANT_MODELS: ReadonlySet<string> = new Set(
  Object.entries(getDatamodel().datamodel.models)
    .filter(([, model]) => model.fields.some((f) => f.name === 'tenantId'))
    .map(([name]) => name),
)

const FILTERED = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
])

/**
 * `rowSecurity`: findUnique outside a transaction becomes findFirst (same rows). Prisma runs the
 * findUnique calls of one tick as one batch, in the async context of whichever call came first — possibly
 * another tenant's — and with row-level security the tenant travels in that context
 * (src/db/row-security.ts). Inside an interactive transaction Prisma batches per transaction only.
 */
export function scopeToTenant(prisma: PrismaClient, tenantId: string, options: { rowSecurity?: boolean } = {}) {
  return prisma.$extends({
    name: 'tenant-scope',
    query: {
      $allModels: {
        $allOperations(params) {
          const { model, operation, args, query } = params
          // Inside a transaction every statement already runs on the transaction's own connection.
          const inTransaction = !!(params as { __internalParams?: { transaction?: unknown } }).__internalParams?.transaction
          // With row-level security on, the statement runs for this tenant (src/db/row-security.ts).
          return asTenant(tenantId, async () => await scoped(model, operation, args, query, inTransaction))
        },
      },
    },
  })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Prisma's per-model argument types vary by model and operation
  function scoped(model: string, operation: string, args: unknown, query: (args: any) => Promise<unknown>, inTransaction: boolean) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const a = (args ?? {}) as Record<string, any>
    if (options.rowSecurity && !inTransaction && (operation === 'findUnique' || operation === 'findUniqueOrThrow')) {
      const delegate = (prisma as unknown as Record<string, Record<string, (args: unknown) => Promise<unknown>>>)[
        model[0]!.toLowerCase() + model.slice(1)
      ]!
      const where = flattenUnique(a.where ?? {})
      const first = { ...a, where: TENANT_MODELS.has(model) ? { ...where, tenantId } : where }
      return operation === 'findUnique' ? delegate['findFirst']!(first) : delegate['findFirstOrThrow']!(first)
    }
    if (!TENANT_MODELS.has(model)) return query(args)
    if (FILTERED.has(operation)) a.where = { ...a.where, tenantId }
    if (operation === 'create') a.data = { ...a.data, tenantId }
    if (operation === 'createMany' || operation === 'createManyAndReturn')
      a.data = (Array.isArray(a.data) ? a.data : [a.data]).map((row: object) => ({ ...row, tenantId }))
    if (operation === 'upsert') {
      a.where = { ...a.where, tenantId }
      a.create = { ...a.create, tenantId }
    }
    return query(a)
  }
}

/** A findUnique filter as a findFirst one: compound unique keys (`a_b: { a, b }`) spread into their fields. */
function flattenUnique(where: Record<string, unknown>): Record<string, unknown> {
  const flat: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(where)) {
    const parts = key.split('_')
    if (parts.length > 1 && value && typeof value === 'object' && !Array.isArray(value) && parts.every((p) => p in (value as object)))
      Object.assign(flat, value)
    else flat[key] = value
  }
  return flat
}

export type TenantDb = ReturnType<typeof scopeToTenant>

/** Scoped clients are cached per tenant: building one per request would cost more than the query. */
export class TenantDbCache {
  private readonly cache = new Map<string, TenantDb>()
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: { rowSecurity?: boolean } = {},
    private readonly max = 1000,
  ) {}

  for(tenantId: string): TenantDb {
    let db = this.cache.get(tenantId)
    if (db) {
      this.cache.delete(tenantId)
    } else {
      db = scopeToTenant(this.prisma, tenantId, this.options)
      if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!)
    }
    this.cache.set(tenantId, db)
    return db
  }
}

/**
 * The tenantId to write in create inputs made through a TenantDb (Prisma's types require the field):
 * the scope replaces it with the viewer's tenant. Outside a TenantDb it is not a valid uuid, so a
 * write that escaped the scope fails instead of landing in no tenant.
 */
export const TENANT_FROM_SCOPE = '(tenant from scope)'
