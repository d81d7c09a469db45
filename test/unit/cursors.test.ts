// Connection cursors keep Pothos' encoding, but only its exact shape is accepted: everything else is
// BAD_USER_INPUT naming the argument, before anything reaches Prisma.
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors.js'
import { connectionCursor, conversationCursor, messageCursor } from '../../src/cursors.js'

const UUID = '0b6f6c8e-3c7a-4f8e-9a51-2d7c1f0e4b9a'
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
const conversation = (uuid: string) => b64(`GPC:S:${uuid}`)
const message = (parts: unknown) => b64(`GPC:T:${JSON.stringify(parts)}`)

function refusal(call: () => unknown) {
  try {
    call()
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return { message: (e as AppError).message, extensions: (e as AppError).extensions }
  }
  throw new Error('expected a throw')
}

describe('conversation cursors', () => {
  it('GPC:S:<uuid> is the conversation id', () => {
    expect(conversationCursor(conversation(UUID), 'after')).toBe(UUID)
  })

  it.each([
    ['a message cursor', message([`S:${UUID}`, 'N:1'])],
    ['another tag', b64(`GPC:N:${UUID}`)],
    ['no GPC prefix', b64(`S:${UUID}`)],
    ['an upper-case uuid (Pothos never writes one)', conversation(UUID.toUpperCase())],
    ['not a uuid', conversation('1')],
    ['garbage', '%%%'],
    ['base64 with bad padding', `${conversation(UUID)}===`],
    ['longer than 200 characters', b64(`GPC:S:${UUID}${' '.repeat(200)}`)],
  ])('%s is BAD_USER_INPUT', (_what, cursor) => {
    expect(refusal(() => conversationCursor(cursor, 'after'))).toEqual({
      message: 'Malformed cursor in after',
      extensions: { code: 'BAD_USER_INPUT', field: 'after' },
    })
  })
})

describe('message cursors', () => {
  it('GPC:T:["S:<uuid>","N:<seq>"] is (conversationId, seq), up to the largest int4', () => {
    expect(messageCursor(message([`S:${UUID}`, 'N:7']), 'before')).toEqual({ conversationId: UUID, seq: 7 })
    expect(messageCursor(message([`S:${UUID}`, 'N:0']), 'before')).toEqual({ conversationId: UUID, seq: 0 })
    expect(messageCursor(message([`S:${UUID}`, `N:${2 ** 31 - 1}`]), 'before')).toEqual({ conversationId: UUID, seq: 2 ** 31 - 1 })
  })

  it.each([
    ['a seq beyond int4', message([`S:${UUID}`, `N:${2 ** 31}`])],
    ['a fractional seq', message([`S:${UUID}`, 'N:1.5'])],
    ['a negative seq', message([`S:${UUID}`, 'N:-1'])],
    ['an 11-digit seq', message([`S:${UUID}`, 'N:10000000000'])],
    ['a number instead of a tagged string', message([`S:${UUID}`, 7])],
    ['an object', message({ conversationId: UUID, seq: 1 })],
    ['three parts', message([`S:${UUID}`, 'N:1', 'N:2'])],
    ['swapped parts', message(['N:1', `S:${UUID}`])],
    ['JSON that does not parse', b64(`GPC:T:[S:${UUID}`)],
    ['a conversation cursor', conversation(UUID)],
  ])('%s is BAD_USER_INPUT', (_what, cursor) => {
    expect(refusal(() => messageCursor(cursor, 'before'))).toEqual({
      message: 'Malformed cursor in before',
      extensions: { code: 'BAD_USER_INPUT', field: 'before' },
    })
  })
})

describe('a connection with after and before', () => {
  it('validates both; the one in use is before, else after, else none', () => {
    const other = '1f6f6c8e-3c7a-4f8e-9a51-2d7c1f0e4b9a'
    expect(connectionCursor({ after: conversation(UUID), before: conversation(other) }, conversationCursor)).toBe(other)
    expect(connectionCursor({ after: conversation(UUID), before: null }, conversationCursor)).toBe(UUID)
    expect(connectionCursor({}, conversationCursor)).toBeUndefined()
    // A malformed `after` is refused even when `before` is the one in use.
    expect(refusal(() => connectionCursor({ after: 'garbage', before: conversation(other) }, conversationCursor)).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'after',
    })
  })
})
