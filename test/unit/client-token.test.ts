// The SDK reads a JWT's exp/iat (unverified) to refresh it ahead of expiry: real tokens signed with jose,
// a non-ASCII claim, tokens without exp, and strings that are not JWTs at all.
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { refreshAt, tokenTimes } from '../../client/src/token.js'

const secret = new TextEncoder().encode('unit-test-secret-unit-test-secret')

async function jwt(claims: Record<string, unknown>, times: { iat?: number; exp?: number }) {
  const token = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('bob')
  if (times.iat !== undefined) token.setIssuedAt(times.iat)
  if (times.exp !== undefined) token.setExpirationTime(times.exp)
  return token.sign(secret)
}

describe('tokenTimes', () => {
  it('reads exp and iat in ms, whatever else the payload holds (non-ASCII included)', async () => {
    for (const name of ['Zoë Ångström — 東京 🚀', 'a', 'ab', 'abc']) {
      const token = await jwt({ tid: 't1', name }, { iat: 1_700_000_000, exp: 1_700_003_600 })
      expect(tokenTimes(token)).toEqual({ expiresAt: 1_700_003_600_000, issuedAt: 1_700_000_000_000 })
    }
  })

  it('a token without iat has issuedAt null; one without exp, or anything that is not a JWT, is null', async () => {
    expect(tokenTimes(await jwt({}, { exp: 1_700_000_060 }))).toEqual({ expiresAt: 1_700_000_060_000, issuedAt: null })
    expect(tokenTimes(await jwt({}, { iat: 1_700_000_000 }))).toBeNull()
    for (const notJwt of ['', 'opaque-api-key', 'a.b', 'a.b.c', 'x.!!!.y', `x.${btoa('[1,2]')}.y`, `x.${btoa('{"exp":"soon"}')}.y`])
      expect(tokenTimes(notJwt), notJwt).toBeNull()
  })
})

describe('refreshAt', () => {
  it('30 s before expiry, or 10% of the lifetime when that is shorter', () => {
    expect(refreshAt({ issuedAt: 0, expiresAt: 3_600_000 }, 0)).toBe(3_570_000)
    expect(refreshAt({ issuedAt: 0, expiresAt: 8_000 }, 0)).toBe(7_200)
    // No iat: the lifetime counts from now.
    expect(refreshAt({ issuedAt: null, expiresAt: 110_000 }, 10_000)).toBe(100_000)
    // Already expired: refresh time is the expiry itself (the caller sees it is due).
    expect(refreshAt({ issuedAt: null, expiresAt: 5_000 }, 10_000)).toBe(5_000)
  })
})
