import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { TEST_JWT_SECRET } from './app.js'

export type RoleClaim = 'admin' | 'operator' | 'member' | 'service'

export interface TokenClaims {
  tid: string
  sub: string
  role: string
  name?: string
  /** Seconds from now; negative for an expired token; null for a token without `exp`. Default one hour. */
  expiresIn?: number | null
  /** `iat` in seconds relative to now (default 0); null for a token without `iat`. */
  issuedAt?: number | null
  secret?: string
}

export function signToken({
  tid,
  sub,
  role,
  name,
  expiresIn = 3600,
  issuedAt = 0,
  secret = TEST_JWT_SECRET,
}: TokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const jwt = new SignJWT({ tid, role, ...(name && { name }) }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub)
  if (issuedAt !== null) jwt.setIssuedAt(now + issuedAt)
  if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn)
  return jwt.sign(new TextEncoder().encode(secret))
}

/** A fresh tenant per test: nothing another test writes can be seen here, so tests run concurrently. */
export function seedTenant(prefix = 'tenant') {
  const tid = `${prefix}-${randomUUID().slice(0, 8)}`
  return {
    tid,
    token: (sub: string, role: RoleClaim, extra: Partial<TokenClaims> = {}) => signToken({ tid, sub, role, ...extra }),
  }
}
