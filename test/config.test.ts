import { describe, expect, it } from 'vitest'
import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../src/env.js'

describe('configuration rules', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', dataDir: './.data', databaseUrl: undefined, redisUrl: undefined, graphiql: true, maxMessageLength: 10_000 })
    expect(config.jwt).toMatchObject({ secret: DEV_JWT_SECRET, isDevelopmentSecret: true })
  })

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ' })).toMatchObject({ databaseUrl: undefined, redisUrl: undefined })
  })

  it('names every invalid variable', () => {
    expect(() => loadConfig({ PORT: 'x', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x' })).toThrow(ConfigError)
    try {
      loadConfig({ PORT: 'x', DATABASE_URL: 'mysql://x', REDIS_URL: 'http://x' })
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT[\s\S]*DATABASE_URL[\s\S]*REDIS_URL/)
    }
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
    expect(dev.rateLimits).toEqual({ enabled: true, windowSeconds: 60, sendsPerUser: 120, sendsPerTenant: 6000, operationsPerUser: 1200, authFailuresPerIp: 100 })
    expect(dev.streamCaps).toEqual({ subscriptionsPerSocket: 100, socketsPerUser: 50, sseStreamsPerUser: 50 })
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-1234' }
    expect(loadConfig(prod)).toMatchObject({ introspection: false, restDocs: false })
    expect(loadConfig({ ...prod, INTROSPECTION: 'true', REST_DOCS: 'true' })).toMatchObject({ introspection: true, restDocs: true })
    expect(loadConfig({ ALLOWED_ORIGINS: ' https://a.example , https://b.example,' }).allowedOrigins).toEqual(['https://a.example', 'https://b.example'])
    expect(loadConfig({ RATE_LIMITS: 'off' })).toMatchObject({ rateLimits: { enabled: false }, streamCaps: { subscriptionsPerSocket: Infinity } })
    expect(loadConfig({ JWT_ALLOW_NO_EXP: 'true', JWT_MAX_TOKEN_LIFETIME_SECONDS: '3600' }).jwt).toMatchObject({ allowNoExp: true, maxLifetimeSeconds: 3600 })
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/)
    expect(loadConfig({ RATE_LIMITS: 'maybe' }).rateLimits.enabled).toBe(true) // only `off` turns them off (CONTRACT.md)
    expect(() => loadConfig({ RATE_LIMIT_SENDS_PER_USER: '0' })).toThrow(/RATE_LIMIT_SENDS_PER_USER/)
  })
})

