// The browser kit's own guarantees, which the browser tests rely on: a request to a host other than
// loopback never leaves (HTTP or WebSocket) and is recorded; going offline and back works for every page
// of a context (setOffline) and for one page through CDP (emulateNetwork).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startTestApp, type TestApp } from './kit/app.js'
import { browserAvailable, isLoopback, launchBrowser, type BrowserKit } from './kit/browser.js'

describe('isLoopback', () => {
  it('is true for loopback addresses and non-network URLs, false for any other host', () => {
    for (const url of [
      'http://127.0.0.1:3000/x',
      'ws://localhost/graphql',
      'http://[::1]:80/',
      'http://127.1.2.3/',
      'http://app.localhost/',
      'data:text/plain,hi',
      'blob:http://127.0.0.1/abc',
    ]) {
      expect(isLoopback(url), url).toBe(true)
    }
    for (const url of [
      'https://unpkg.com/graphiql',
      'http://10.0.0.1/',
      'wss://example.com/',
      'http://localhost.example.com/',
      'http://127.0.0.1.nip.io/',
    ]) {
      expect(isLoopback(url), url).toBe(false)
    }
  })
})

describe.runIf(browserAvailable)('the browser kit', () => {
  let t: TestApp
  let kit: BrowserKit
  beforeAll(async () => {
    ;[t, kit] = await Promise.all([startTestApp(), launchBrowser()])
  })
  afterAll(async () => {
    await kit?.close()
    await t?.stop()
  })

  /** What a fetch from the page gets: the status, or the error's name. */
  const fetchFrom = (page: Page, url: string) =>
    page.evaluate(
      (url) =>
        fetch(url).then(
          (r) => String(r.status),
          (e: Error) => e.name,
        ),
      url,
    )

  it('refuses and records a request to a non-loopback host, over HTTP and WebSocket', async () => {
    const c = await kit.newContext()
    const page = await c.newPage()
    c.reportOnFailure(page, 'kit-blocked')
    await page.goto(`${t.url}/graphiql/start.js`)
    expect(await fetchFrom(page, 'https://cdn.example.com/lib.js')).toBe('TypeError')
    const closed = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket('wss://realtime.example.com/socket')
          ws.onclose = (e) => resolve(`closed ${e.code}`)
          ws.onopen = () => resolve('open')
        }),
    )
    expect(closed).toMatch(/^closed /)
    expect(c.blocked).toEqual(['https://cdn.example.com/lib.js', 'wss://realtime.example.com/socket'])
    expect(c.failedRequests).toEqual([expect.stringMatching(/^GET https:\/\/cdn\.example\.com\/lib\.js: net::ERR_BLOCKED_BY_CLIENT/)])
    // Loopback is untouched.
    expect(await fetchFrom(page, `${t.url}/graphiql/start.js`)).toBe('200')
    await c.close()
  })

  it('goes offline and back, for the whole context and for one page through CDP', async () => {
    const c = await kit.newContext()
    const page = await c.newPage()
    c.reportOnFailure(page, 'kit-offline')
    await page.goto(`${t.url}/graphiql/start.js`)
    const asset = `${t.url}/graphiql/switchboard-graphiql.js`
    expect(await fetchFrom(page, asset)).toBe('200')

    await c.setOffline(true)
    expect(await fetchFrom(page, asset)).toBe('TypeError')
    await c.setOffline(false)
    expect(await fetchFrom(page, asset)).toBe('200')

    await c.emulateNetwork(page, { offline: true })
    expect(await fetchFrom(page, asset)).toBe('TypeError')
    await c.emulateNetwork(page, { offline: false })
    expect(await fetchFrom(page, asset)).toBe('200')
    expect(c.blocked).toEqual([])
    await c.close()
  })
})
