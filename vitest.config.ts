import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'

const require = createRequire(import.meta.url)

export default defineConfig({
  resolve: {
    // Pothos and Yoga load graphql's CommonJS build; tests must share that one module instance.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    env: { LOG_LEVEL: 'silent' },
    projects: [
      // Pure rules: no database, no Redis, no server (`npx vitest run --project unit` takes seconds).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Real servers against the run's PostgreSQL (and Redis when available), started once by global-setup.
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['test/unit/**'], globalSetup: ['test/kit/global-setup.ts'] },
      },
    ],
  },
})
