// Operation names are client-chosen label values: the first `max` well-formed names get their own series,
// everything else is "other" (no name at all is "anonymous"), so /metrics cannot grow with what is sent.
import { describe, expect, it } from 'vitest'
import { BoundedLabel } from '../../src/server/metrics.js'

describe('bounded operation-name labels', () => {
  it('the first max distinct names keep their name (again and again); later new names are "other"', () => {
    const label = new BoundedLabel(3)
    expect(['A', 'B', 'A', 'C', 'D', 'B', 'E', 'C'].map((n) => label.of(n))).toEqual(['A', 'B', 'A', 'C', 'other', 'B', 'other', 'C'])
  })

  it('no name is "anonymous"; a name that is not a GraphQL name or is longer than 64 characters is "other" and takes no place', () => {
    const label = new BoundedLabel(2)
    expect([null, undefined, ''].map((n) => label.of(n))).toEqual(['anonymous', 'anonymous', 'anonymous'])
    expect(['1abc', 'a-b', 'a b', 'x'.repeat(65), 'Ünicode'].map((n) => label.of(n))).toEqual(['other', 'other', 'other', 'other', 'other'])
    expect([label.of('x'.repeat(64)), label.of('_ok'), label.of('third')]).toEqual(['x'.repeat(64), '_ok', 'other'])
  })

  it('100,000 distinct names leave exactly max names remembered', () => {
    const label = new BoundedLabel(100)
    const kept = new Set(Array.from({ length: 100_000 }, (_, i) => label.of(`Op${i}`)))
    expect(kept.size).toBe(101) // 100 names and "other"
    expect([kept.has('Op99'), kept.has('Op100')]).toEqual([true, false])
  })
})
