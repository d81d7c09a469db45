// The REST docs (Swagger UI at /rest/docs) in a real browser (headless Chromium), with the internet cut
// off: "Authorize" with a bearer token, then "Try it out" on the send-message operation sends a message
// that the conversation then holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MessagesDocument } from '../client/generated/graphql.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { browserAvailable, launchBrowser, SCREENSHOT_DIR, type BrowserKit } from './kit/browser.js'
import { client } from './kit/execute.js'
import { tenantWorld } from './kit/world.js'

describe.runIf(browserAvailable)('REST docs in headless Chromium, offline', () => {
  let t: TestApp
  let kit: BrowserKit
  beforeAll(async () => {
    ;[t, kit] = await Promise.all([startTestApp(), launchBrowser()])
    console.log(`screenshots: ${SCREENSHOT_DIR}`)
  })
  afterAll(async () => {
    await kit?.close()
    await t?.stop()
  })

  it('Authorize with a bearer token, then "Try it out" on send-message answers 200 with the message', async () => {
    const w = tenantWorld(t.graphqlUrl, 'browser')
    const run = client(t.graphqlUrl)
    const [op, member] = await Promise.all([w.user('docs-op', 'operator'), w.user('docs-member')])
    const conversationId = await w.groupConversation(op, ['docs-member'])

    const c = await kit.newContext()
    const page = await c.newPage()
    c.reportOnFailure(page, 'rest-docs')
    await page.goto(`${t.url}/rest/docs`)

    // The operation list, read from /rest/openapi.json.
    const operation = page.locator('.opblock-post', { has: page.locator('.opblock-summary-path', { hasText: /\/send-message$/ }) })
    await operation.waitFor()
    await c.screenshot(page, 'rest-docs-1-first-screen')

    // Authorize: the bearerAuth scheme's value field.
    await page.locator('.auth-wrapper .btn.authorize').click()
    const dialog = page.locator('.modal-ux')
    await dialog.locator('input[type=text], input[type=password]').first().fill(member.token)
    await dialog.locator('.auth-btn-wrapper .btn.authorize').click()
    await dialog.locator('.auth-btn-wrapper button', { hasText: 'Logout' }).waitFor()
    await c.screenshot(page, 'rest-docs-2-authorized')
    await dialog.locator('.auth-btn-wrapper button', { hasText: 'Close' }).click()
    await dialog.waitFor({ state: 'detached' })

    // Try it out on POST …/send-message.
    await operation.locator('.opblock-summary').click()
    await operation.getByRole('button', { name: 'Try it out' }).click()
    const input = { conversationId, body: 'sent from Swagger UI', clientMessageId: 'swagger-1' }
    await operation.locator('textarea.body-param__text').fill(JSON.stringify({ input }, null, 2))
    await operation.getByRole('button', { name: 'Execute' }).click()

    const response = operation.locator('.live-responses-table .response')
    await response.waitFor()
    await c.screenshot(operation, 'rest-docs-3-executed')
    expect((await response.locator('.response-col_status').innerText()).trim()).toBe('200')
    // The arguments went in the JSON body only, not (as example values) in the URL.
    expect((await operation.locator('.request-url pre').innerText()).trim()).toBe(`${t.url}/rest/send-message`)
    const body = JSON.parse(await response.locator('.response-col_description pre').first().innerText())
    expect(body).toMatchObject({ message: { body: 'sent from Swagger UI', clientMessageId: 'swagger-1' } })
    // It was really sent: the conversation holds it.
    const { conversation } = (await run({ document: MessagesDocument, token: op.token, variables: { conversationId } })).expectData()
    expect(conversation?.messages.edges.map((e) => e.node.body)).toContain('sent from Swagger UI')

    expect(c.blocked, 'requests to non-loopback hosts').toEqual([])
    expect(c.consoleErrors, 'console errors').toEqual([])
    expect(c.failedRequests, 'failed requests').toEqual([])
    expect(c.errorResponses, 'error responses').toEqual([])
    await c.close()
  })
})
