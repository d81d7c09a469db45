// The viewer: who is asking, in which tenant. Tenants and users are provisioned on first sight of a
// valid token (keyed by tid and (tid, sub)); the token's role and name are authoritative.
import type { PrismaClient } from '../db/client.js'
import type { Role } from '../generated/prisma/enums.js'
import type { Claims } from './token.js'
import { asTenant } from '../db/row-security.js'

export interface Viewer {
  tenantId: string
  tenantExternalId: string
  userId: string
  externalId: string
  role: Role
  displayName: string
  expiresAt: number | undefined
}

export class ViewerProvisioner {
  // (tid, sub, role, name) → ids: a known viewer costs no query; a changed role or name re-provisions.
  private readonly known = new Map<string, { tenantId: string; userId: string }>()

  constructor(
    private readonly prisma: PrismaClient,
    private readonly max = 10_000,
  ) {}

  async viewerFor(claims: Claims): Promise<Viewer> {
    const displayName = claims.name ?? claims.sub
    const key = JSON.stringify([claims.tid, claims.sub, claims.role, displayName])
    let ids = this.known.get(key)
    if (!ids) {
      ids = await this.provision(claims, displayName)
      if (this.known.size >= this.max) this.known.clear()
      this.known.set(key, ids)
    }
    return {
      ...ids,
      tenantExternalId: claims.tid,
      externalId: claims.sub,
      role: claims.role,
      displayName,
      expiresAt: claims.expiresAt,
    }
  }

  private async provision(claims: Claims, displayName: string, attempt = 1): Promise<{ tenantId: string; userId: string }> {
    try {
      return await this.upsert(claims, displayName)
    } catch (e) {
      // Two first requests of the same user race on the unique keys: the loser retries and finds the row.
      if ((e as { code?: string }).code === 'P2002' && attempt < 3) return this.provision(claims, displayName, attempt + 1)
      throw e
    }
  }

  private async upsert(claims: Claims, displayName: string) {
    const tenant = await this.prisma.tenant.upsert({
      where: { externalId: claims.tid },
      create: { externalId: claims.tid },
      update: {},
      select: { id: true },
    })
    // The user row is tenant-owned: written for its tenant (row-level security, src/db/row-security.ts).
    const user = await asTenant(
      tenant.id,
      async () =>
        await this.prisma.user.upsert({
          where: { tenantId_externalId: { tenantId: tenant.id, externalId: claims.sub } },
          create: { tenantId: tenant.id, externalId: claims.sub, displayName, role: claims.role },
          update: { displayName, role: claims.role },
          select: { id: true },
        }),
    )
    return { tenantId: tenant.id, userId: user.id }
  }

  forget() {
    this.known.clear()
  }
}
