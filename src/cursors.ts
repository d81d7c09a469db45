// Connection cursors, decoded and validated before they reach Prisma. They keep Pothos' encoding
// (base64 "GPC:S:<uuid>" for a conversation, base64 'GPC:T:["S:<uuid>","N:<seq>"]' for a message), but
// only that exact shape is accepted: anything else (other tags, objects, huge or fractional numbers,
// garbage base64) is BAD_USER_INPUT. Callers then check that the cursor's row is one the viewer may see
// and otherwise answer as for a cursor of a row that does not exist (no existence oracle).
import { badInput } from './errors.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MAX_SEQ = 2 ** 31 - 1

function decode(cursor: string, field: string): string {
  const decoded = cursor.length <= 200 && /^[A-Za-z0-9+/]+={0,2}$/.test(cursor) ? Buffer.from(cursor, 'base64').toString('utf8') : ''
  if (!decoded.startsWith('GPC:')) throw malformed(field)
  return decoded.slice(4)
}

const malformed = (field: string) => badInput(`Malformed cursor in ${field}`, field)

/** The conversation id inside a `conversations` cursor. */
export function conversationCursor(cursor: string, field: string): string {
  const chunk = decode(cursor, field)
  const id = chunk.startsWith('S:') ? chunk.slice(2) : ''
  if (!UUID.test(id)) throw malformed(field)
  return id
}

/** (conversationId, seq) inside a messages cursor. */
export function messageCursor(cursor: string, field: string): { conversationId: string; seq: number } {
  const chunk = decode(cursor, field)
  let parts: unknown
  try {
    parts = chunk.startsWith('T:') ? JSON.parse(chunk.slice(2)) : undefined
  } catch {
    throw malformed(field)
  }
  if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string' || typeof parts[1] !== 'string') throw malformed(field)
  const [idChunk, seqChunk] = parts as [string, string]
  const conversationId = idChunk.startsWith('S:') ? idChunk.slice(2) : ''
  const seq = /^N:\d{1,10}$/.test(seqChunk) ? Number(seqChunk.slice(2)) : -1
  if (!UUID.test(conversationId) || seq < 0 || seq > MAX_SEQ) throw malformed(field)
  return { conversationId, seq }
}

/** Validates `after` and `before` of a connection with `decodeOne`; returns the decoded one in use. */
export function connectionCursor<T>(
  args: { after?: string | null; before?: string | null },
  decodeOne: (cursor: string, field: string) => T,
): T | undefined {
  const after = args.after == null ? undefined : decodeOne(args.after, 'after')
  const before = args.before == null ? undefined : decodeOne(args.before, 'before')
  return before ?? after
}
