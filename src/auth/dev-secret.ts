// The development secret, used when neither JWT_SECRET nor JWT_PUBLIC_KEY is set outside production:
// random per DATA_DIR (kept in DATA_DIR/dev-jwt-secret, mode 0600), never a constant, so nobody on the
// network can mint tokens for someone else's development server. `npm start` prints it and
// `npm run token` reads it from the same DATA_DIR.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export const DEV_SECRET_FILE = 'dev-jwt-secret'

export function developmentSecret(dataDir: string): string {
  const file = path.join(dataDir, DEV_SECRET_FILE)
  try {
    const existing = fs.readFileSync(file, 'utf8').trim()
    if (existing.length >= 32) return existing
  } catch {
    // none yet
  }
  fs.mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
}
