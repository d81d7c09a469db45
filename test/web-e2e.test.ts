// The reference web app (web/) end to end, in headless Chromium: a real Switchboard server as its own
// process, the app on Vite's dev server (web/vite.config.ts's webConfig, proxying /graphql there), and two
// people in two browser contexts. Alice (a customer) contacts support; Olivia (an operator) finds her in
// the Unassigned queue, claims and replies. Then Alice goes offline; Olivia sends three messages and an
// internal note, Alice "sends" two (pending), the server is stopped and started again on the same port,
// and Alice comes back: both screens converge on the same messages in seq order, none lost or doubled,
// the note never on Alice's. Screenshots of each step go to test-artifacts/screenshots/web-e2e-*.png.
//
// Also: the app type-checks (tsc -p web/tsconfig.json) and `npm run web:build`'s config builds.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type ViteDevServer } from 'vite'
import type { Page } from 'playwright-core'
import { webConfig } from '../web/vite.config.js'
import { TEST_JWT_SECRET } from './kit/app.js'
import { browserAvailable, launchBrowser, type BrowserKit } from './kit/browser.js'
import { startServerProcess, type ServerProcess } from './kit/process.js'
import { freePort } from './kit/redis.js'

/** Runs a command of the project; resolves with its exit code and output. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, output }))
  })
}

describe('the reference web app builds', () => {
  it('its dev server refuses to sign demo tokens with a JWT_SECRET unless DEMO_SESSION=true, and in production', async () => {
    const serve = (env: Record<string, string>) =>
      createServer({ ...webConfig({ PORT: '1', WEB_PORT: '0', ...env }), configFile: false, logLevel: 'silent', server: { port: 0 } })
    await expect(serve({ JWT_SECRET: TEST_JWT_SECRET })).rejects.toThrow(/set DEMO_SESSION=true/)
    await expect(serve({ JWT_SECRET: TEST_JWT_SECRET, DEMO_SESSION: 'true', NODE_ENV: 'production' })).rejects.toThrow(
      /refuses NODE_ENV=production/,
    )
    const allowed = await serve({ JWT_SECRET: TEST_JWT_SECRET, DEMO_SESSION: 'true' })
    await allowed.close()
  })

  it('type-checks (tsc -p web/tsconfig.json)', async () => {
    const { code, output } = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web/tsconfig.json'])
    expect(output).toBe('')
    expect(code).toBe(0)
  })

  it("builds with npm run web:build's config (vite build --config web/vite.config.ts)", async () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-web-build-'))
    try {
      const { code, output } = await run(
        process.execPath,
        [
          'node_modules/vite/bin/vite.js',
          'build',
          '--config',
          'web/vite.config.ts',
          '--outDir',
          outDir,
          '--emptyOutDir',
          '--logLevel',
          'warn',
        ],
        { JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: 'production' },
      )
      expect(code, output).toBe(0)
      const html = readFileSync(path.join(outDir, 'index.html'), 'utf8')
      const script = /<script type="module" crossorigin src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1]
      expect(script, html).toBeDefined()
      // The bundle holds the app and the SDK (not an unresolved package import).
      const bundle = readFileSync(path.join(outDir, script!), 'utf8')
      expect(bundle).toContain('Contact support')
      expect(bundle).not.toMatch(/from\s*["']@switchboard\/client/)
    } finally {
      rmSync(outDir, { recursive: true, force: true })
    }
  })
})

/** What a timeline shows, per `li.message`: status, seq, clientMessageId, body and whether it is a note. */
interface Shown {
  status: string | null
  seq: number | null
  clientId: string | null
  body: string
  note: boolean
}

function shownMessages(page: Page): Promise<Shown[]> {
  return page.locator('[data-testid="messages"] li.message').evaluateAll((items) =>
    items.map((li) => ({
      status: li.getAttribute('data-status'),
      seq: li.hasAttribute('data-seq') ? Number(li.getAttribute('data-seq')) : null,
      clientId: li.getAttribute('data-client-id'),
      body: li.querySelector('.body')?.textContent ?? '',
      note: li.classList.contains('note'),
    })),
  )
}

/**
 * Errors Chromium logs by itself while Alice's network is away (a socket or a request refused), and while
 * the server is: the dev server's proxy then closes sockets before the handshake or answers 502/504.
 */
const OFFLINE_ERROR =
  /^(WebSocket connection to '\S+' failed: Error in connection establishment: |Failed to load resource: )net::ERR_INTERNET_DISCONNECTED$/
const SERVER_AWAY_ERROR =
  /^WebSocket connection to '\S+' failed: (Connection closed before receiving a handshake response|Error during WebSocket handshake: Unexpected response code: 50[234]|Error in connection establishment: net::ERR_CONNECTION_(REFUSED|RESET|CLOSED))$|^Failed to load resource: (the server responded with a status of 50[234] .*|net::ERR_(CONNECTION_(REFUSED|RESET|CLOSED)|EMPTY_RESPONSE))$/

describe.runIf(browserAvailable)('the reference web app, end to end in Chromium', () => {
  const tenant = `web-e2e-${randomUUID().slice(0, 8)}`
  let port: number
  let server: ServerProcess
  let vite: ViteDevServer
  let kit: BrowserKit
  let webUrl: string

  beforeAll(async () => {
    port = await freePort()
    const webPort = await freePort()
    ;[server, kit] = await Promise.all([startServerProcess({ port }), launchBrowser()])
    vite = await createServer({
      ...webConfig({
        JWT_SECRET: TEST_JWT_SECRET,
        DEMO_SESSION: 'true',
        PORT: String(port),
        WEB_PORT: String(webPort),
        DEMO_TENANT: tenant,
      }),
      configFile: false,
      logLevel: 'silent',
      clearScreen: false,
    })
    await vite.listen()
    webUrl = `http://localhost:${webPort}`
  })

  afterAll(async () => {
    await kit?.close()
    await vite?.close()
    await server?.stop()
  })

  it('a customer and an operator talk through a lost network and a server restart, and converge', { timeout: 240_000 }, async () => {
    const [aliceContext, oliviaContext] = await Promise.all([kit.newContext(), kit.newContext()])
    const fromOlivia = ['We found your parcel', 'It ships today', 'Tracking number follows by email']
    const note = 'NOTE: customer was double charged, refund pending'
    // Alice's page records which of these texts ever reach her DOM, even for a moment (kept over reloads):
    // the note must never; Olivia's first message, which she does see, shows the watch works.
    await aliceContext.context.addInitScript(
      (texts) => {
        new MutationObserver(() => {
          const body = document.body?.textContent ?? ''
          const seen = new Set(JSON.parse(sessionStorage.getItem('seen') ?? '[]') as string[])
          for (const text of texts) if (body.includes(text)) seen.add(text)
          sessionStorage.setItem('seen', JSON.stringify([...seen]))
        }).observe(document, { subtree: true, childList: true, characterData: true })
      },
      [note, fromOlivia[0]!],
    )
    const [alice, olivia] = await Promise.all([aliceContext.newPage(), oliviaContext.newPage()])
    aliceContext.reportOnFailure(alice, 'web-e2e-alice')
    oliviaContext.reportOnFailure(olivia, 'web-e2e-olivia')
    const shot = async (step: string) => {
      await Promise.all([
        aliceContext.screenshot(alice, `web-e2e-${step}-alice`),
        oliviaContext.screenshot(olivia, `web-e2e-${step}-olivia`),
      ])
    }
    const badge = (page: Page) => page.getByTestId('connection')
    const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' })
    const say = async (page: Page, body: string, options: { note?: boolean } = {}) => {
      if (options.note) await page.getByRole('checkbox', { name: /Internal note/ }).check()
      await composer(page).fill(body)
      await composer(page).press('Enter')
    }
    const message = (page: Page, body: string) =>
      page.locator('[data-testid="messages"] li.message', { has: page.locator('.body', { hasText: body }) })

    // Signed in: both are live. The first load compiles the app, so it may take a while.
    await Promise.all([alice.goto(`${webUrl}/?as=alice`), olivia.goto(`${webUrl}/?as=olivia`)])
    await expect.poll(() => badge(alice).getAttribute('data-status', { timeout: 60_000 }), { timeout: 60_000 }).toBe('connected')
    await expect.poll(() => badge(olivia).getAttribute('data-status', { timeout: 60_000 }), { timeout: 60_000 }).toBe('connected')
    await olivia.getByText('Nothing here.').waitFor()
    await shot('1-signed-in')

    // Alice contacts support and asks.
    await alice.getByRole('button', { name: 'Contact support' }).click()
    await composer(alice).waitFor()
    await say(alice, 'Hello, my order has not arrived')
    await message(alice, 'Hello, my order has not arrived').and(alice.locator('[data-status="sent"]')).waitFor()

    // Olivia sees it in the Unassigned queue, opens it, claims it and replies.
    const item = olivia.getByTestId('queue-item').filter({ hasText: 'Help for Alice (customer)' })
    await item.filter({ hasText: 'Hello, my order has not arrived' }).waitFor()
    await expect.poll(() => olivia.getByTestId('queue-unassigned').textContent(), { timeout: 15_000 }).toBe('Unassigned (1)')
    await item.click()
    await message(olivia, 'Hello, my order has not arrived').waitFor()
    await shot('2-asked')
    await olivia.getByRole('button', { name: 'Claim' }).click()
    await expect.poll(() => olivia.getByTestId('assignee').textContent(), { timeout: 15_000 }).toBe('assigned to you')
    await say(olivia, 'Sorry about that, let me check')
    await message(olivia, 'Sorry about that, let me check').and(olivia.locator('[data-status="sent"]')).waitFor()
    await message(alice, 'Sorry about that, let me check').and(alice.locator('[data-status="sent"]')).waitFor()
    await alice.getByText('Olivia (support) is helping you').waitFor()
    await shot('3-replied')
    const calmErrors = [...aliceContext.consoleErrors, ...oliviaContext.consoleErrors]
    expect(calmErrors).toEqual([])

    // Alice goes offline: her socket is lost (the badge says so), not just her HTTP requests.
    const aliceErrorsBefore = aliceContext.consoleErrors.length
    const oliviaErrorsBefore = oliviaContext.consoleErrors.length
    await aliceContext.setOffline(true)
    await expect.poll(() => badge(alice).getAttribute('data-status'), { timeout: 30_000 }).toBe('reconnecting')

    // Olivia sends three messages and an internal note.
    for (const body of fromOlivia) await say(olivia, body)
    await say(olivia, note, { note: true })
    for (const body of [...fromOlivia, note]) await message(olivia, body).and(olivia.locator('[data-status="sent"]')).waitFor()

    // Alice writes two messages while offline: they wait, pending.
    const fromAlice = ['Are you still there?', 'I am on a train, the network is bad']
    for (const body of fromAlice) await say(alice, body)
    for (const body of fromAlice) await message(alice, body).and(alice.locator('[data-status="pending"]')).waitFor()
    for (const body of fromOlivia) expect(await message(alice, body).count()).toBe(0)
    await shot('4-offline')

    // The server restarts (same port) while Alice is still offline; Olivia's console loses it and comes back.
    await server.stop()
    await expect.poll(() => badge(olivia).getAttribute('data-status'), { timeout: 30_000 }).toBe('reconnecting')
    server = await startServerProcess({ port })
    await expect.poll(() => badge(olivia).getAttribute('data-status'), { timeout: 60_000 }).toBe('connected')
    await shot('5-restarted')

    // Alice comes back: her two messages are sent, Olivia's three arrive.
    await aliceContext.setOffline(false)
    await expect.poll(() => badge(alice).getAttribute('data-status'), { timeout: 60_000 }).toBe('connected')
    for (const body of fromAlice) await message(alice, body).and(alice.locator('[data-status="sent"]')).waitFor({ timeout: 60_000 })
    for (const body of fromOlivia) await message(alice, body).waitFor({ timeout: 30_000 })
    for (const body of fromAlice) await message(olivia, body).and(olivia.locator('[data-status="sent"]')).waitFor({ timeout: 30_000 })

    // Both converge: the same messages in seq order, each once, all sent; the note only on Olivia's screen.
    const [onAlice, onOlivia] = await Promise.all([shownMessages(alice), shownMessages(olivia)])
    await shot('6-converged')
    const key = (m: Shown) => ({ seq: m.seq, clientId: m.clientId, body: m.body })
    const expected = ['Hello, my order has not arrived', 'Sorry about that, let me check', ...fromOlivia, note, ...fromAlice]
    expect(onOlivia.map((m) => m.body)).toEqual(expected)
    expect(onOlivia.every((m) => m.status === 'sent' && m.seq !== null && m.clientId)).toBe(true)
    const seqs = onOlivia.map((m) => m.seq!)
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(new Set(onOlivia.map((m) => m.clientId)).size).toBe(onOlivia.length)
    expect(onOlivia.filter((m) => m.note).map((m) => m.body)).toEqual([note])
    expect(onAlice.map(key)).toEqual(onOlivia.filter((m) => !m.note).map(key))
    expect(onAlice.every((m) => m.status === 'sent')).toBe(true)
    expect(await alice.locator('body').textContent()).not.toContain(note)

    const aliceErrorsAfter = aliceContext.consoleErrors.length
    const oliviaErrorsAfter = oliviaContext.consoleErrors.length

    // A reload shows the same (nothing left pending in Alice's stored outbox, nothing doubled).
    await alice.reload()
    await message(alice, fromAlice[1]!).waitFor()
    await expect.poll(async () => (await shownMessages(alice)).map(key), { timeout: 15_000 }).toEqual(onAlice.map(key))

    // No page errors at all; console errors only while the network or the server was away.
    // Alice was offline through the restart, so she never met the server away; Olivia was never offline.
    expect(aliceContext.consoleErrors.slice(aliceErrorsBefore, aliceErrorsAfter).filter((e) => !OFFLINE_ERROR.test(e))).toEqual([])
    expect(oliviaContext.consoleErrors.slice(oliviaErrorsBefore, oliviaErrorsAfter).filter((e) => !SERVER_AWAY_ERROR.test(e))).toEqual([])
    expect([...aliceContext.consoleErrors.slice(aliceErrorsAfter), ...oliviaContext.consoleErrors.slice(oliviaErrorsAfter)]).toEqual([])
    expect(await alice.evaluate(() => JSON.parse(sessionStorage.getItem('seen') ?? '[]') as string[])).toEqual([fromOlivia[0]])
    expect(aliceContext.blocked).toEqual([])
    expect(oliviaContext.blocked).toEqual([])
  })
})
