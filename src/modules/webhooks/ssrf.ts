// Outbound requests to webhook endpoints never reach loopback, link-local, private or otherwise
// non-public addresses (unless WEBHOOK_ALLOW_PRIVATE=true). The rule is checked on the addresses a name
// resolves to, at registration and again on every delivery — through the socket's own DNS lookup, so
// the address checked is the address connected to (no DNS-rebinding window). Redirects are not followed.
import dns from 'node:dns'
import net from 'node:net'

const BLOCKED = new net.BlockList()
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv4')
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64 can reach any IPv4 address
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv6')

/** True for any address a webhook must not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address)
  if (family === 4) return BLOCKED.check(address, 'ipv4')
  if (family !== 6) return true
  // IPv4-mapped (::ffff:a.b.c.d / ::ffff:7f00:1) and IPv4-compatible forms carry an IPv4 address.
  const mapped = /^::(ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return BLOCKED.check(mapped[2]!, 'ipv4')
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16)
    const lo = parseInt(hexMapped[2]!, 16)
    return BLOCKED.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4')
  }
  return BLOCKED.check(address, 'ipv6')
}

export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKEDADDRESS'
}

/** The host part of a URL without IPv6 brackets. */
function hostOf(url: URL) {
  return url.hostname.replace(/^\[|\]$/g, '')
}

/** Every address the URL's host resolves to (the host itself when it is an IP literal). */
export async function resolveHost(url: URL): Promise<string[]> {
  const host = hostOf(url)
  if (net.isIP(host)) return [host]
  const records = await dns.promises.lookup(host, { all: true, verbatim: true })
  return records.map((r) => r.address)
}

/** Why a URL may not be used as a webhook endpoint, or null when it may. */
export async function urlProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'url must be an absolute http(s) URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must use http or https'
  if (url.username || url.password) return 'url must not contain credentials'
  if (raw.length > 2000) return 'url must be at most 2000 characters'
  if (allowPrivate) return null
  let addresses: string[]
  try {
    addresses = await resolveHost(url)
  } catch {
    return `url host ${url.hostname} does not resolve`
  }
  if (!addresses.length || addresses.some(isPrivateAddress))
    return 'url must resolve to a public address (loopback, link-local and private networks are refused)'
  return null
}

/**
 * A `lookup` for http.request that refuses non-public addresses: Node calls it for the connection
 * itself, so the check applies to the address actually connected to. (IP literals skip lookup in
 * Node; `assertLiteralAllowed` covers them.)
 */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return (callback as (e: Error | null, a: unknown, f?: number) => void)(err, undefined)
      const list = addresses as dns.LookupAddress[]
      const allowed = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address))
      if (!allowed.length || allowed.length !== list.length)
        return (callback as (e: Error | null, a: unknown) => void)(
          new BlockedAddressError(`${hostname} resolves to a non-public address`),
          undefined,
        )
      if ((options as dns.LookupOptions).all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, allowed)
      ;(callback as (e: null, a: string, f: number) => void)(null, allowed[0]!.address, allowed[0]!.family)
    })
  }
}

export function assertLiteralAllowed(url: URL, allowPrivate: boolean) {
  const host = hostOf(url)
  if (!allowPrivate && net.isIP(host) && isPrivateAddress(host)) throw new BlockedAddressError(`${host} is not a public address`)
}
