// Prints a development token: npm run token -- --tenant acme --user alice --role operator [--name Alice] [--ttl 3600]
// Signed with JWT_SECRET (or, when it is unset, the development secret of DATA_DIR, as `npm start` uses), with JWT_ISSUER/JWT_AUDIENCE when set.
import { parseArgs } from 'node:util'
import { signDevelopmentToken } from '../src/auth/token.js'
import { loadConfig } from '../src/env.js'

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'acme' },
    user: { type: 'string', default: 'alice' },
    role: { type: 'string', default: 'member' },
    name: { type: 'string' },
    ttl: { type: 'string', default: '86400' },
  },
})
const ROLES = ['admin', 'operator', 'member', 'service']
if (!ROLES.includes(values.role!)) {
  console.error(`--role must be one of ${ROLES.join(', ')} (got "${values.role}")`)
  process.exit(1)
}
const config = loadConfig()
if (!config.jwt.secret) {
  console.error('npm run token signs with JWT_SECRET (HS256); with JWT_PUBLIC_KEY only, tokens come from your platform')
  process.exit(1)
}
console.log(
  await signDevelopmentToken(
    { ...config.jwt, secret: config.jwt.secret },
    { tid: values.tenant!, sub: values.user!, role: values.role!, name: values.name, ttlSeconds: Number(values.ttl) },
  ),
)
