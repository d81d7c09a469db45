// Verifies the host platform's JWTs (CONTRACT.md "Tokens") and turns them into typed claims.
import { errors as joseErrors, importSPKI, jwtVerify, SignJWT, type CryptoKey, type JWTPayload, type JWTVerifyOptions } from 'jose'
import { z } from 'zod'
import type { Config } from '../env.js'
import { unauthenticated } from '../errors.js'
import type { Role } from '../generated/prisma/enums.js'

const CLOCK_SKEW_SECONDS = 60

const ROLE_CLAIMS = { admin: 'ADMIN', operator: 'OPERATOR', member: 'MEMBER', service: 'SERVICE' } as const satisfies Record<string, Role>

// The role claim is matched against this fixed map with Object.hasOwn: `__proto__`, `constructor` and
// friends are unknown roles, never a prototype lookup.
const roleOf = (claim: string): Role | undefined =>
  Object.hasOwn(ROLE_CLAIMS, claim) ? ROLE_CLAIMS[claim as keyof typeof ROLE_CLAIMS] : undefined

const claimsSchema = z.object({
  sub: z.string().min(1).max(255),
  tid: z.string().min(1).max(255),
  role: z.string().max(40),
  name: z.string().max(200).optional(),
  exp: z.number().int().positive().optional(),
  iat: z.number().int().positive().optional(),
})

export interface Claims {
  sub: string
  tid: string
  role: Role
  name: string | undefined
  /** Expiry in ms since epoch, when the token has one. */
  expiresAt: number | undefined
}

export type TokenVerifier = (token: string) => Promise<Claims>

export async function createTokenVerifier(jwt: Config['jwt']): Promise<TokenVerifier> {
  const { allowNoExp, maxLifetimeSeconds } = jwt
  let key: Uint8Array | CryptoKey
  let algorithms: string[]
  if (jwt.publicKey) {
    const pem = jwt.publicKey.replaceAll('\\n', '\n')
    // An RSA key verifies RS256, an EC P-256 key ES256: the key itself says which.
    const imported = await importSPKI(pem, 'RS256').then(
      (k) => ({ k, alg: 'RS256' }),
      () => importSPKI(pem, 'ES256').then((k) => ({ k, alg: 'ES256' })),
    )
    key = imported.k
    algorithms = [imported.alg]
  } else {
    key = new TextEncoder().encode(jwt.secret)
    algorithms = ['HS256']
  }
  const options: JWTVerifyOptions = {
    algorithms,
    ...(jwt.issuer && { issuer: jwt.issuer }),
    ...(jwt.audience && { audience: jwt.audience }),
  }

  return cachedVerifier(async (token) => {
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key, options))
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthenticated('Token expired')
      throw unauthenticated('Invalid token')
    }
    const parsed = claimsSchema.safeParse(payload)
    if (!parsed.success) throw unauthenticated('Invalid token: sub, tid and role claims are required')
    const role = roleOf(parsed.data.role)
    if (!role) throw unauthenticated('Invalid token: unknown role')
    const { exp, iat } = parsed.data
    if (exp === undefined && !allowNoExp) throw unauthenticated('Invalid token: exp is required')
    if (maxLifetimeSeconds !== undefined) {
      // A token must say how long it lives (iat and exp) and live no longer than the maximum.
      if (exp === undefined || iat === undefined) throw unauthenticated('Invalid token: iat and exp are required')
      if (exp - iat > maxLifetimeSeconds) throw unauthenticated(`Invalid token: lifetime over ${maxLifetimeSeconds} seconds`)
      if (iat > Math.floor(Date.now() / 1000) + CLOCK_SKEW_SECONDS) throw unauthenticated('Invalid token: issued in the future')
    }
    return {
      sub: parsed.data.sub,
      tid: parsed.data.tid,
      role,
      name: parsed.data.name,
      expiresAt: exp === undefined ? undefined : exp * 1000,
    }
  })
}

/** `Bearer <jwt>` → `<jwt>`; undefined when absent; UNAUTHENTICATED when malformed. */
export function bearerToken(header: unknown): string | undefined {
  if (header === undefined || header === null || header === '') return undefined
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null
  if (!match) throw unauthenticated('Malformed Authorization: expected "Bearer <token>"')
  return match[1]
}

/** Most verified tokens remembered per process. */
const VERIFIED_CACHE_SIZE = 10_000
/** A token without `exp` (JWT_ALLOW_NO_EXP) is verified again after this long. */
const NO_EXP_CACHE_MS = 5 * 60_000

/**
 * Remembers tokens that verified, by their exact text, until they expire: a client sends the same token
 * with every request, and checking its signature each time is a measurable share of a send. Failed
 * verifications are not remembered (they are counted against the client's IP instead).
 */
function cachedVerifier(verify: TokenVerifier): TokenVerifier {
  const verified = new Map<string, { claims: Claims; until: number }>()
  return async (token) => {
    const hit = verified.get(token)
    if (hit && Date.now() < hit.until) return hit.claims
    if (hit) verified.delete(token)
    const claims = await verify(token)
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!)
    verified.set(token, { claims, until: claims.expiresAt ?? Date.now() + NO_EXP_CACHE_MS })
    return claims
  }
}

/**
 * A development token, HS256 with the configured secret (`npm run token`, the web app's demo sign-in):
 * what a host platform signs for its users, with JWT_ISSUER/JWT_AUDIENCE when set.
 */
export function signDevelopmentToken(
  jwt: { secret: string; issuer?: string | undefined; audience?: string | undefined },
  claims: { tid: string; sub: string; role: string; name?: string; ttlSeconds: number },
): Promise<string> {
  let token = new SignJWT({ tid: claims.tid, role: claims.role, ...(claims.name && { name: claims.name }) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds}s`)
  if (jwt.issuer) token = token.setIssuer(jwt.issuer)
  if (jwt.audience) token = token.setAudience(jwt.audience)
  return token.sign(new TextEncoder().encode(jwt.secret))
}
