import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './kit/app.js'
import { seedTenant } from './kit/tokens.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

const metricsText = async (app: TestApp, headers: Record<string, string> = {}) => {
  const response = await fetch(`${app.url}/metrics`, { headers })
  expect(response.status).toBe(200)
  return response.text()
}

/** Sends `count` requests, `batch` at a time; request i comes from make(i). */
async function flood(count: number, make: (i: number) => Promise<Response>, batch = 25) {
  for (let i = 0; i < count; i += batch)
    await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => make(i + j).then((r) => r.arrayBuffer())))
}

describe('/metrics is safe by default', () => {
  it('a token placed in a URL query string never appears in /metrics', async () => {
    const token = await seedTenant().token('url-token', 'admin')
    const secret = token.split('.')[2]!
    const query = encodeURIComponent('query LeakProbe { viewer { user { id } } }')
    for (const url of [
      `${t.graphqlUrl}?query=${query}&token=${token}`,
      `${t.graphqlUrl}?query=${query}&access_token=${token}&variables=${encodeURIComponent(JSON.stringify({ secret: token }))}`,
      `${t.url}/rest/conversations?token=${token}`,
    ])
      await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer()
    const text = await metricsText(t)
    expect(text).toContain('operationName="LeakProbe"')
    expect(text).not.toContain(secret)
    expect(text).not.toContain('url=')
  })

  // The cap itself (100 names) is pinned by test/unit/bounded-label.test.ts; here, through the server,
  // three times the cap of new names and URLs, then three times more.
  it('/metrics stays bounded after 600 requests with distinct URLs and operation names', async () => {
    const token = await seedTenant().token('flooder', 'member')
    const send = (prefix: string) => (i: number) =>
      fetch(`${t.graphqlUrl}?n=${prefix}${i}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(i % 2 === 0 && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query: `query ${prefix}${i} { __typename }` }),
      })
    await flood(300, send('FirstFlood'))
    const after300 = await metricsText(t)
    await flood(300, send('SecondFlood'))
    const after600 = await metricsText(t)
    // The second 300 distinct names and URLs add no request series: only counter values change.
    // (Process metrics such as GC kinds or handle types may come and go on their own: not counted.)
    const series = (text: string) => text.split('\n').filter((line) => line.startsWith('graphql_')).length
    expect(series(after300)).toBeGreaterThan(0)
    expect(series(after600)).toBe(series(after300))
    expect(after600).not.toContain('SecondFlood')
    expect(after600).toContain('operationName="other"')
    expect(after600.length).toBeLessThan(2_000_000)
    const names = new Set([...after600.matchAll(/operationName="([^"]*)"/g)].map((m) => m[1]))
    expect(names.size).toBe(100 + 1) // the cap, plus "other"
  })

  it('with METRICS_TOKEN, /metrics requires Authorization: Bearer <METRICS_TOKEN>', async () => {
    const metricsToken = 'metrics-token-0123456789abcdef'
    const own = await startTestApp({ env: { METRICS_TOKEN: metricsToken } })
    try {
      expect((await fetch(`${own.url}/metrics`)).status).toBe(401)
      expect((await fetch(`${own.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}x` } })).status).toBe(401)
      expect((await fetch(`${own.url}/metrics?token=${metricsToken}`)).status).toBe(401)
      expect(await metricsText(own, { authorization: `Bearer ${metricsToken}` })).toContain('switchboard_messages_sent_total')
    } finally {
      await own.stop()
    }
  })
})
