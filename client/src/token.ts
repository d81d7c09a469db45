// Reads a JWT's `exp` and `iat` (seconds) without verifying it: only to know when to ask for a new token
// before the server closes the socket at expiry. Anything that is not a JWT with a numeric `exp` is null.

export interface TokenTimes {
  /** Expiry, ms since the epoch. */
  expiresAt: number
  /** Issued-at, ms since the epoch, when the token says. */
  issuedAt: number | null
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** base64url → string (UTF-8), without atob or Buffer so it runs on every runtime. */
function decodeBase64Url(input: string): string | null {
  const bytes: number[] = []
  let buffer = 0
  let bits = 0
  for (const char of input.replace(/=+$/, '')) {
    const value = ALPHABET.indexOf(char === '+' ? '-' : char === '/' ? '_' : char)
    if (value < 0) return null
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((buffer >> bits) & 0xff)
    }
  }
  // Without TextDecoder (some React Native engines) non-ASCII claims come out garbled, `exp` and `iat` do not.
  if (typeof TextDecoder === 'undefined') return String.fromCharCode(...bytes)
  return new TextDecoder().decode(new Uint8Array(bytes))
}

/** A JWT's payload, unverified (the server verifies; the client only reads its own token's claims). */
export function tokenClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1]
  if (token.split('.').length !== 3 || !payload) return null
  const json = decodeBase64Url(payload)
  if (json === null) return null
  try {
    const claims: unknown = JSON.parse(json)
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null
  } catch {
    return null
  }
}

export function tokenTimes(token: string): TokenTimes | null {
  const claims = tokenClaims(token)
  if (!claims) return null
  const { exp, iat } = claims as { exp?: unknown; iat?: unknown }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return null
  return { expiresAt: exp * 1000, issuedAt: typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : null }
}

/**
 * When to ask for a new token: 30 s before expiry, or 10% of the token's lifetime before it when that is
 * shorter (lifetime from `iat`, else from now).
 */
export function refreshAt(times: TokenTimes, now: number): number {
  const lifetime = times.expiresAt - (times.issuedAt ?? now)
  return times.expiresAt - Math.max(0, Math.min(30_000, lifetime * 0.1))
}
