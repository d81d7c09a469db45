import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig } from '../../src/env.js'

describe('configuration rules', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      dataDir: './.data',
      databaseUrl: undefined,
      redisUrl: undefined,
      graphiql: true,
      maxMessageLength: 10_000,
    })
    expect(config.jwt.isDevelopmentSecret).toBe(true)
  })

  it('the development secret is random per DATA_DIR, kept there with mode 0600, and stable across starts', () => {
    const [a, b] = [fs.mkdtempSync(path.join(os.tmpdir(), 'sb-secret-')), fs.mkdtempSync(path.join(os.tmpdir(), 'sb-secret-'))]
    try {
      const first = loadConfig({ DATA_DIR: a }).jwt.secret!
      expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(loadConfig({ DATA_DIR: a }).jwt.secret).toBe(first)
      expect(loadConfig({ DATA_DIR: b }).jwt.secret).not.toBe(first)
      expect(fs.statSync(path.join(a, 'dev-jwt-secret')).mode & 0o777).toBe(0o600)
      // With a configured secret, none is generated.
      const c = path.join(b, 'configured')
      expect(loadConfig({ DATA_DIR: c, JWT_SECRET: 'a-configured-secret-0123456789' }).jwt).toMatchObject({
        secret: 'a-configured-secret-0123456789',
        isDevelopmentSecret: false,
      })
      expect(fs.existsSync(c)).toBe(false)
    } finally {
      fs.rmSync(a, { recursive: true, force: true })
      fs.rmSync(b, { recursive: true, force: true })
    }
  })

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ' })).toMatchObject({ databaseUrl: undefined, redisUrl: undefined })
  })

  it('names every invalid variable', () => {
    const invalid = () => loadConfig({ PORT: 'x', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x' })
    expect(invalid).toThrow(ConfigError)
    expect(invalid).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*REDIS_URL/)
  })

  it('requires a real secret in production; GraphiQL is off there unless asked for', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/)
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-1234' }).graphiql).toBe(false)
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-1234', GRAPHIQL: 'true' }).graphiql).toBe(true)
  })

  it('security settings: production defaults, origins list, limits on unless RATE_LIMITS=off, readable refusals', () => {
    const dev = loadConfig({})
    expect(dev).toMatchObject({ introspection: true, restDocs: true, allowedOrigins: undefined, metricsToken: undefined })
    expect(dev.jwt).toMatchObject({ allowNoExp: false, maxLifetimeSeconds: undefined })
    expect(dev.rateLimits).toEqual({
      enabled: true,
      windowSeconds: 60,
      sendsPerUser: 120,
      sendsPerTenant: 6000,
      operationsPerUser: 1200,
      authFailuresPerIp: 100,
    })
    expect(dev.streamCaps).toEqual({ subscriptionsPerSocket: 100, socketsPerUser: 50, sseStreamsPerUser: 50 })
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-1234' }
    expect(loadConfig(prod)).toMatchObject({ introspection: false, restDocs: false })
    expect(loadConfig({ ...prod, INTROSPECTION: 'true', REST_DOCS: 'true' })).toMatchObject({ introspection: true, restDocs: true })
    expect(loadConfig({ ALLOWED_ORIGINS: ' https://a.example , https://b.example,' }).allowedOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ])
    expect(loadConfig({ RATE_LIMITS: 'off' })).toMatchObject({
      rateLimits: { enabled: false },
      streamCaps: { subscriptionsPerSocket: Infinity },
    })
    expect(loadConfig({ JWT_ALLOW_NO_EXP: 'true', JWT_MAX_TOKEN_LIFETIME_SECONDS: '3600' }).jwt).toMatchObject({
      allowNoExp: true,
      maxLifetimeSeconds: 3600,
    })
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/)
    expect(loadConfig({ RATE_LIMITS: 'maybe' }).rateLimits.enabled).toBe(true) // only `off` turns them off (CONTRACT.md)
    expect(() => loadConfig({ RATE_LIMIT_SENDS_PER_USER: '0' })).toThrow(/RATE_LIMIT_SENDS_PER_USER/)
  })
})
