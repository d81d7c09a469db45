// The two pure rules behind webhook delivery: which addresses are never contacted (SSRF), and when the
// next attempt runs.
import { describe, expect, it } from 'vitest'
import { isPrivateAddress } from '../../src/modules/webhooks/ssrf.js'
import { retryDelayMs } from '../../src/modules/webhooks/dispatch.js'

describe('non-public addresses are recognised in every notation', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
    'not-an-ip',
  ])('%s is refused', (address) => {
    expect(isPrivateAddress(address)).toBe(true)
  })

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPrivateAddress(address)).toBe(false)
  })
})

describe('retry schedule', () => {
  it('starts at WEBHOOK_RETRY_BASE_MS, doubles each attempt, adds at most 25 % jitter and stops growing at a day', () => {
    expect(retryDelayMs(1000, 1, () => 0)).toBe(1000)
    expect(retryDelayMs(1000, 2, () => 0)).toBe(2000)
    expect(retryDelayMs(1000, 5, () => 0)).toBe(16_000)
    expect(retryDelayMs(1000, 5, () => 0.999_999)).toBe(20_000)
    expect(retryDelayMs(10_000, 40, () => 0)).toBe(86_400_000)
  })
})
