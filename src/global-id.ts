// Relay global ids: base64("Type:uuid"). A malformed id is BAD_USER_INPUT; a well-formed id of the
// wrong type or of a row the viewer cannot see is treated as missing by the caller.
import { badInput } from './errors.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function encodeGlobalId(typename: string, id: string) {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64')
}

export function decodeGlobalId(globalId: string, field?: string): { typename: string; id: string } {
  const decoded = /^[A-Za-z0-9+/=_-]+$/.test(globalId) ? Buffer.from(globalId, 'base64').toString('utf8') : ''
  const separator = decoded.indexOf(':')
  const typename = decoded.slice(0, separator)
  const id = decoded.slice(separator + 1)
  if (separator < 1 || !/^[A-Z][A-Za-z]*$/.test(typename) || !UUID.test(id)) throw badInput(`Malformed id: ${globalId.slice(0, 80)}`, field)
  return { typename, id: id.toLowerCase() }
}

/** The row id inside a global id that must name a `typename`; BAD_USER_INPUT otherwise. */
export function idOf(typename: string, globalId: string, field = 'id'): string {
  const decoded = decodeGlobalId(globalId, field)
  if (decoded.typename !== typename) throw badInput(`${field} must be a ${typename} id`, field)
  return decoded.id
}
