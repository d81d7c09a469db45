// The reference app's stand-in for the host platform's sign-in: GET /demo/session?as=<person> answers a
// JWT for one of a few demo people of the tenant "demo", signed with the server's development secret
// (or JWT_SECRET), and makes sure the demo tenant has its people and a "Support" group of operators.
// It runs inside Vite's dev (and preview) server, never in the browser bundle: in a real product the
// host platform signs tokens for its own signed-in users.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { signDevelopmentToken } from '../src/auth/token.js'
import type { Plugin } from 'vite'

export const DEMO_PEOPLE = {
  alice: { role: 'member', name: 'Alice (customer)' },
  bob: { role: 'member', name: 'Bob (customer)' },
  olivia: { role: 'operator', name: 'Olivia (support)' },
  oscar: { role: 'operator', name: 'Oscar (support)' },
} as const
export type DemoPerson = keyof typeof DEMO_PEOPLE

export interface DemoSessionOptions {
  /** Why serving tokens is not allowed here: the dev and preview servers refuse to start, saying so. */
  refuse?: string
  /** The Switchboard server, e.g. http://127.0.0.1:4000. */
  target: string
  /** The HS256 secret the server verifies tokens with. */
  secret: string
  tenant?: string
  issuer?: string
  audience?: string
  /** Token lifetime in seconds (default 3600). */
  ttl?: number
}

export interface DemoSession {
  token: string
  expiresAt: number
  person: DemoPerson
  role: string
  name: string
  supportGroupId: string
}

export function demoSession(options: DemoSessionOptions): Plugin {
  const tenant = options.tenant ?? 'demo'
  const sign = (sub: string, role: string, name: string, ttl = options.ttl ?? 3600) =>
    signDevelopmentToken(options, { tid: tenant, sub, role, name, ttlSeconds: ttl })

  const graphql = async <T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(new URL('/graphql', options.target), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
    const result = (await response.json()) as { data?: T; errors?: Array<{ message: string }> }
    if (!result.data || result.errors?.length) throw new Error(result.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`)
    return result.data
  }

  // The demo tenant's people and its Support group, once per dev-server process (again after a failure).
  let seeded: Promise<string> | null = null
  const seed = async (): Promise<string> => {
    const admin = await sign('demo-admin', 'admin', 'Demo admin', 300)
    for (const [externalId, person] of Object.entries(DEMO_PEOPLE)) {
      await graphql(admin, 'mutation($input: UpsertUserInput!) { upsertUser(input: $input) { user { id } } }', {
        input: { externalId, displayName: person.name, role: person.role.toUpperCase() },
      })
    }
    const { groups } = await graphql<{ groups: Array<{ id: string; name: string }> }>(admin, '{ groups { id name } }')
    const existing = groups.find((g) => g.name === 'Support')
    if (existing) return existing.id
    const operators = Object.entries(DEMO_PEOPLE)
      .filter(([, p]) => p.role === 'operator')
      .map(([id]) => id)
    const { createGroup } = await graphql<{ createGroup: { group: { id: string } } }>(
      admin,
      'mutation($input: CreateGroupInput!) { createGroup(input: $input) { group { id } } }',
      { input: { name: 'Support', memberExternalIds: operators } },
    )
    return createGroup.group.id
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const person = url.searchParams.get('as') as DemoPerson | null
    const reply = (status: number, body: unknown) => {
      res.statusCode = status
      res.setHeader('content-type', 'application/json')
      res.setHeader('cache-control', 'no-store')
      res.end(JSON.stringify(body))
    }
    if (!person || !Object.hasOwn(DEMO_PEOPLE, person))
      return reply(400, { error: `as must be one of ${Object.keys(DEMO_PEOPLE).join(', ')}` })
    try {
      seeded ??= seed().catch((e) => {
        seeded = null
        throw e
      })
      const supportGroupId = await seeded
      const { role, name } = DEMO_PEOPLE[person]
      const ttl = options.ttl ?? 3600
      const session: DemoSession = {
        token: await sign(person, role, name, ttl),
        expiresAt: Date.now() + ttl * 1000,
        person,
        role,
        name,
        supportGroupId,
      }
      reply(200, session)
    } catch (e) {
      reply(503, { error: `Switchboard at ${options.target} is not answering as expected: ${(e as Error).message}` })
    }
  }

  return {
    name: 'switchboard-demo-session',
    configureServer(server) {
      if (options.refuse) throw new Error(options.refuse)
      server.middlewares.use('/demo/session', (req, res) => void handle(req, res))
    },
    configurePreviewServer(server) {
      if (options.refuse) throw new Error(options.refuse)
      server.middlewares.use('/demo/session', (req, res) => void handle(req, res))
    },
  }
}
