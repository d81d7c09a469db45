// `npm run web`: the reference app on Vite's dev server (http://localhost:5173), against the Switchboard
// server `npm start` runs (SWITCHBOARD_URL, default http://127.0.0.1:$PORT). /graphql (HTTP and
// WebSocket) is proxied there, so the app talks to one origin; /demo/session signs demo tokens with the
// server's development secret (same DATA_DIR) or JWT_SECRET, for people of the tenant DEMO_TENANT
// (default "demo"); WEB_PORT is the dev server's port. With JWT_SECRET set it needs DEMO_SESSION=true, and
// it refuses NODE_ENV=production.
//
// webConfig(env) is the whole configuration as a function of an environment, so a test can start the app
// against its own server (test/web-e2e.test.ts) without touching process.env.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type UserConfig } from 'vite'
import { loadConfig } from '../src/env.js'
import { demoSession } from './demo-session.js'

const here = path.dirname(fileURLToPath(import.meta.url))

export function webConfig(env: Record<string, string | undefined> = process.env): UserConfig {
  const server = loadConfig(env)
  const target = env.SWITCHBOARD_URL ?? `http://127.0.0.1:${server.port}`
  if (!server.jwt.secret)
    throw new Error('npm run web signs demo tokens with JWT_SECRET (HS256); with JWT_PUBLIC_KEY only, tokens come from your platform')
  // /demo/session mints tokens for anyone who can reach the dev server, and upserts demo users: it serves
  // only against a development server (its own random secret), or when asked for explicitly, never with
  // NODE_ENV=production. (Building the app needs neither.)
  const refuse =
    server.env === 'production'
      ? 'npm run web serves /demo/session, a development tool: it refuses NODE_ENV=production'
      : !server.jwt.isDevelopmentSecret && env.DEMO_SESSION !== 'true'
        ? 'JWT_SECRET is set: /demo/session would sign tokens with it; set DEMO_SESSION=true to allow that (never with a production secret)'
        : undefined
  return {
    root: here,
    resolve: {
      // The app uses the SDK exactly as a consumer does, from its package entry points (here, their sources).
      alias: [
        { find: /^@switchboard\/client\/react$/, replacement: path.join(here, '../client/src/react/index.ts') },
        { find: /^@switchboard\/client$/, replacement: path.join(here, '../client/src/index.ts') },
      ],
    },
    oxc: { jsx: { runtime: 'automatic' } },
    server: {
      port: Number(env.WEB_PORT ?? 5173),
      strictPort: true,
      proxy: { '/graphql': { target, ws: true, changeOrigin: false } },
    },
    plugins: [
      demoSession({
        refuse,
        target,
        secret: server.jwt.secret,
        issuer: server.jwt.issuer,
        audience: server.jwt.audience,
        ...(env.DEMO_TENANT && { tenant: env.DEMO_TENANT }),
      }),
    ],
  }
}

export default defineConfig(() => webConfig())
