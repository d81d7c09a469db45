// A headless Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core (no
// browser download). Every context it makes is closed to the internet: a request (HTTP or WebSocket) to
// a host other than loopback is refused and recorded, so a page that needs a CDN shows it. Console errors,
// uncaught page errors and failed requests are collected; screenshots go to test-artifacts/screenshots/.
//
// Chromium missing: a suite guarded by `describe.runIf(browserAvailable)` is skipped locally; with CI set
// it runs, and launchBrowser() fails it with the install command.
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { onTestFailed } from 'vitest'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type CDPSession,
  type Locator,
  type Page,
} from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR ?? 'test-artifacts/screenshots')

/** False when Chromium is absent and this is not CI: a suite may skip. In CI, launching fails instead. */
export const browserAvailable = existsSync(CHROMIUM_PATH) || (Boolean(process.env.CI) && process.env.CI !== 'false')

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export function isLoopback(url: string | URL): boolean {
  const u = typeof url === 'string' ? new URL(url) : url
  if (!/^(https?|wss?):$/.test(u.protocol)) return true // data:, blob:, about: never leave the machine
  return LOOPBACK.has(u.hostname) || /^127\.\d+\.\d+\.\d+$/.test(u.hostname) || u.hostname.endsWith('.localhost')
}

export interface BrowserKit {
  browser: Browser
  /** A fresh, isolated context (own cookies and storage) closed to non-loopback hosts. */
  newContext(options?: BrowserContextOptions): Promise<TestContext>
  close(): Promise<void>
}

export interface TestContext {
  context: BrowserContext
  newPage(): Promise<Page>
  /** Requests (HTTP or WebSocket) to a non-loopback host, refused. */
  blocked: string[]
  /** console.error messages and uncaught exceptions of every page. */
  consoleErrors: string[]
  /** Requests that failed at the network level (refused ones included), as "METHOD url: reason". */
  failedRequests: string[]
  /** Responses with a status ≥ 400, as "status METHOD url". */
  errorResponses: string[]
  /**
   * Saves a PNG as <SCREENSHOT_DIR>/<name>.png and returns its path: of a page (what the viewport shows,
   * or all of it with fullPage) or of one element (a Locator).
   */
  screenshot(target: Page | Locator, name: string, options?: { fullPage?: boolean }): Promise<string>
  /** Call inside a test: if it fails, screenshot `page` as <name>-failed.png and print what was collected. */
  reportOnFailure(page: Page, name: string): void
  /** Cuts (true) or restores (false) the network of every page in this context (Playwright's emulation). */
  setOffline(offline: boolean): Promise<void>
  /** Finer conditions for one page through CDP (Network.emulateNetworkConditions): latency in ms, bytes/s. */
  emulateNetwork(
    page: Page,
    conditions: { offline?: boolean; latency?: number; downloadThroughput?: number; uploadThroughput?: number },
  ): Promise<void>
  close(): Promise<void>
}

// Chromium's own background traffic (updates, sync, safe browsing) would otherwise try the internet.
const ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]

export async function launchBrowser(): Promise<BrowserKit> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  }
  const root = process.getuid?.() === 0
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Chromium's sandbox refuses to start as root.
    chromiumSandbox: !root,
    args: ARGS,
  })
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const contexts = new Set<TestContext>()
  return {
    browser,
    async newContext(options = {}) {
      const t = await testContext(browser, options)
      contexts.add(t)
      return t
    },
    async close() {
      await Promise.all([...contexts].map((c) => c.close().catch(() => {})))
      await browser.close()
    },
  }
}

async function testContext(browser: Browser, options: BrowserContextOptions): Promise<TestContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options })
  // A locator wait that fails does so well within a test's timeout, with Playwright's own account.
  context.setDefaultTimeout(15_000)
  const blocked: string[] = []
  const consoleErrors: string[] = []
  const failedRequests: string[] = []
  const errorResponses: string[] = []

  await context.route(
    (url) => !isLoopback(url),
    (route) => {
      blocked.push(route.request().url())
      return route.abort('blockedbyclient')
    },
  )
  await context.routeWebSocket(
    (url) => !isLoopback(url),
    (ws) => {
      blocked.push(ws.url())
      return ws.close({ code: 1008, reason: 'non-loopback host blocked by the test' })
    },
  )

  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`))
    page.on('requestfailed', (request) =>
      failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`),
    )
    page.on('response', (response) => {
      if (response.status() >= 400) errorResponses.push(`${response.status()} ${response.request().method()} ${response.url()}`)
    })
  }
  context.on('page', watch)
  const cdpSessions = new WeakMap<Page, CDPSession>()

  const screenshot: TestContext['screenshot'] = async (target, name, { fullPage = false } = {}) => {
    const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`)
    await ('goto' in target ? target.screenshot({ path: file, fullPage }) : target.screenshot({ path: file }))
    return file
  }

  return {
    context,
    newPage: () => context.newPage(),
    blocked,
    consoleErrors,
    failedRequests,
    errorResponses,
    screenshot,
    reportOnFailure(page, name) {
      onTestFailed(async () => {
        const shot = await screenshot(page, `${name}-failed`).catch((e: Error) => `(no screenshot: ${e.message})`)
        console.log(`${name} failed at ${page.url()}; screenshot: ${shot}`, { blocked, consoleErrors, failedRequests, errorResponses })
      })
    },
    setOffline: (offline) => context.setOffline(offline),
    async emulateNetwork(page, { offline = false, latency = 0, downloadThroughput = -1, uploadThroughput = -1 }) {
      // One session per page: conditions set through another session would still apply.
      let cdp = cdpSessions.get(page)
      if (!cdp) {
        cdp = await context.newCDPSession(page)
        await cdp.send('Network.enable')
        cdpSessions.set(page, cdp)
      }
      await cdp.send('Network.emulateNetworkConditions', { offline, latency, downloadThroughput, uploadThroughput })
    },
    close: () => context.close(),
  }
}
