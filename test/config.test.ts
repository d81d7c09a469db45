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
})
