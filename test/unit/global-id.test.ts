// Relay global ids: base64("Type:uuid"). What decodes, what is BAD_USER_INPUT, and that a well-formed id
// of another type is refused by idOf (the resolvers' one way to read an id argument).
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors.js'
import { decodeGlobalId, encodeGlobalId, idOf } from '../../src/global-id.js'

const UUID = '0b6f6c8e-3c7a-4f8e-9a51-2d7c1f0e4b9a'
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

/** The error a call throws, for exact assertions on its code, field and message. */
function thrown(call: () => unknown): AppError {
  try {
    call()
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a throw')
}

describe('global ids', () => {
  it('encode is base64 of "Type:uuid" and decodes back', () => {
    const id = encodeGlobalId('Conversation', UUID)
    expect(Buffer.from(id, 'base64').toString('utf8')).toBe(`Conversation:${UUID}`)
    expect(decodeGlobalId(id)).toEqual({ typename: 'Conversation', id: UUID })
  })

  it('an upper-case uuid, or the url-safe base64 alphabet, names the same row', () => {
    expect(decodeGlobalId(b64(`Message:${UUID.toUpperCase()}`))).toEqual({ typename: 'Message', id: UUID })
    const urlSafe = Buffer.from(`Message:${UUID}`, 'utf8').toString('base64url')
    expect(urlSafe).not.toBe(b64(`Message:${UUID}`))
    expect(decodeGlobalId(urlSafe)).toEqual({ typename: 'Message', id: UUID })
  })

  it.each([
    ['not base64 at all', 'Conversation:1 2'],
    ['empty', ''],
    ['no separator', b64(`Conversation${UUID}`)],
    ['no type', b64(`:${UUID}`)],
    ['a type that is not a type name', b64(`conversation:${UUID}`)],
    ['a type with a digit', b64(`Conv3rsation:${UUID}`)],
    ['an id that is not a uuid', b64('Conversation:42')],
    ['a uuid with something after it', b64(`Conversation:${UUID}x`)],
    ['a raw uuid', UUID.replace(/-/g, '')],
  ])('%s is BAD_USER_INPUT naming the field', (_what, globalId) => {
    const error = thrown(() => decodeGlobalId(globalId, 'conversationId'))
    expect(error).toBeInstanceOf(AppError)
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'conversationId' })
    expect(error.message).toBe(`Malformed id: ${globalId.slice(0, 80)}`)
  })

  it('the error message quotes at most 80 characters of what was sent', () => {
    const long = 'A'.repeat(5000)
    expect(thrown(() => decodeGlobalId(long)).message).toBe(`Malformed id: ${'A'.repeat(80)}`)
  })

  it('idOf returns the row id of an id of the named type, and refuses another type as BAD_USER_INPUT', () => {
    expect(idOf('Conversation', encodeGlobalId('Conversation', UUID))).toBe(UUID)
    const error = thrown(() => idOf('Conversation', encodeGlobalId('Message', UUID), 'conversationId'))
    expect([error.message, error.extensions]).toEqual([
      'conversationId must be a Conversation id',
      { code: 'BAD_USER_INPUT', field: 'conversationId' },
    ])
    expect(thrown(() => idOf('Group', 'garbage', 'groupIds')).extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'groupIds' })
  })
})
