// GraphiQL in a real browser (headless Chromium), with the internet cut off: the page renders and loads
// the schema from this server alone, a token typed into the Headers editor authenticates a query over
// HTTP and a subscription over WebSocket, and a message sent by another client arrives in the result pane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { SendMessageDocument } from '../client/generated/graphql.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { browserAvailable, launchBrowser, SCREENSHOT_DIR, type BrowserKit, type TestContext } from './kit/browser.js'
import { client } from './kit/execute.js'
import { activeSubscriptions, liveSubscriptions, waitUntil } from './kit/ready.js'
import { tenantWorld } from './kit/world.js'

const ERRORS_ON_SCREEN = /Malformed Authorization|Error fetching schema|Unexpected error|UNAUTHENTICATED|WebSocket closed/

let t: TestApp
let kit: BrowserKit

/**
 * An editor's text without whitespace: Monaco draws spaces as U+00A0 and wraps long lines (the response
 * pane), so what it shows is compared with the whitespace taken out (the values used here have none).
 */
function editorText(page: Page, name: string): Promise<string> {
  return page.locator(`.monaco-editor[data-uri$="-${name}"] .view-lines`).evaluate((el) => (el.textContent ?? '').replace(/\s/g, ''))
}

/** Waits until the editor `name` (operation.graphql, request-headers.json, response.json) shows `text`. */
async function waitForEditorText(page: Page, name: string, text: string, timeout = 15_000): Promise<string> {
  const selector = `.monaco-editor[data-uri$="-${name}"] .view-lines`
  try {
    await page.waitForFunction(
      ({ selector, text }) => (document.querySelector(selector)?.textContent ?? '').replace(/\s/g, '').includes(text.replace(/\s/g, '')),
      { selector, text },
      { timeout },
    )
  } catch (error) {
    throw new Error(`${name} never showed ${text}; it shows: ${await editorText(page, name).catch(() => '?')}`, { cause: error })
  }
  return editorText(page, name)
}

/**
 * Runs the operation in the editor once GraphiQL has taken in its name (the active tab shows it): it
 * reads the name a moment after an edit, and until then would send the previous one.
 */
async function execute(page: Page, operationName: string) {
  await page.locator('.graphiql-tab-active .graphiql-tab-button', { hasText: new RegExp(`^${operationName}$`) }).waitFor()
  await page.getByRole('button', { name: /^Execute query/ }).click()
}

/** Focuses a Monaco editor, selects everything in it and types `text` over it. */
async function typeInto(page: Page, name: string, text: string) {
  // Its first line, right of the line numbers (the .view-lines box is far wider than what is shown).
  await page.locator(`.monaco-editor[data-uri$="-${name}"]`).click({ position: { x: 80, y: 10 } })
  await page.keyboard.press('ControlOrMeta+A')
  await page.keyboard.press('Delete')
  await page.keyboard.type(text)
}

async function expectDocsLoaded(page: Page) {
  const docs = page.locator('.graphiql-doc-explorer')
  if (!(await docs.isVisible())) await page.getByRole('button', { name: 'Show Documentation Explorer' }).click()
  // The root types are listed once the introspection result is in.
  await docs.getByText('Subscription', { exact: true }).waitFor()
  await docs.getByText('Query', { exact: true }).waitFor()
}

function expectNoErrors(c: TestContext) {
  expect(c.blocked, 'requests to non-loopback hosts').toEqual([])
  expect(c.consoleErrors, 'console errors').toEqual([])
  expect(c.failedRequests, 'failed requests').toEqual([])
  expect(c.errorResponses, 'error responses').toEqual([])
}

describe.runIf(browserAvailable)('GraphiQL in headless Chromium, offline', () => {
  beforeAll(async () => {
    ;[t, kit] = await Promise.all([startTestApp(), launchBrowser()])
    console.log(`screenshots: ${SCREENSHOT_DIR}`)
  })
  afterAll(async () => {
    await kit?.close()
    await t?.stop()
  })

  it('renders without errors, runs a viewer query with the typed token, and shows a message sent by another client in a subscription', async () => {
    const w = tenantWorld(t.graphqlUrl, 'browser')
    const run = client(t.graphqlUrl)
    const [op, member] = await Promise.all([w.user('gq-op', 'operator'), w.user('gq-browser')])
    const conversationId = await w.groupConversation(op, ['gq-browser'])

    const c = await kit.newContext()
    const page = await c.newPage()
    c.reportOnFailure(page, 'graphiql')
    await page.goto(t.graphqlUrl)

    // First screen: the default query, the schema (Docs) loaded without a token, no error anywhere.
    await waitForEditorText(page, 'operation.graphql', 'query Viewer {')
    await expectDocsLoaded(page)
    await c.screenshot(page, 'graphiql-1-first-screen')
    expect(await page.locator('body').innerText()).not.toMatch(ERRORS_ON_SCREEN)
    expect(await editorText(page, 'response.json')).toBe('')
    expectNoErrors(c)

    // The token, typed into the Headers editor.
    await page.locator('.graphiql-editor-tools button[data-name="headers"]').click()
    await typeInto(page, 'request-headers.json', `{"Authorization": "Bearer ${member.token}"}`)
    await waitForEditorText(page, 'request-headers.json', `"Bearer ${member.token}"}`)
    await c.screenshot(page, 'graphiql-2-token')

    // The default Viewer query, over HTTP with that header.
    await typeInto(page, 'operation.graphql', 'query Me { viewer { user { externalId role } tenant { externalId } } }')
    await execute(page, 'Me')
    const viewer = await waitForEditorText(page, 'response.json', '"externalId": "gq-browser"')
    expect(JSON.parse(viewer)).toEqual({
      data: { viewer: { user: { externalId: 'gq-browser', role: 'MEMBER' }, tenant: { externalId: w.tid } } },
    })
    await expectDocsLoaded(page)
    await c.screenshot(page, 'graphiql-3-viewer')

    // A subscription: GraphiQL's fetcher opens a WebSocket with the token as connectionParams.
    await typeInto(
      page,
      'operation.graphql',
      `subscription Events { conversationEvents(conversationId: "${conversationId}") { seq ... on MessageAddedEvent { message { body } } } }`,
    )
    await execute(page, 'Events')
    // Live on the server before the other client sends: the event can only arrive through the subscription.
    await liveSubscriptions(t.url, 'conversationEvents', 1)
    await c.screenshot(page, 'graphiql-4-subscribed')
    const sent = (
      await run({
        document: SendMessageDocument,
        token: op.token,
        variables: { input: { conversationId, body: 'sent-by-another-client', clientMessageId: 'browser-1' } },
      })
    ).expectData().sendMessage.message
    const event = await waitForEditorText(page, 'response.json', '"body": "sent-by-another-client"')
    expect(JSON.parse(event)).toMatchObject({
      data: { conversationEvents: { seq: sent.seq, message: { body: 'sent-by-another-client' } } },
    })
    await c.screenshot(page, 'graphiql-5-event')

    // Stop: the subscription ends on the server too (the fetcher completes it and closes its socket).
    await page.getByRole('button', { name: /^Stop query/ }).click()
    await page.getByRole('button', { name: /^Execute query/ }).waitFor()
    await waitUntil(
      async () => (await activeSubscriptions(t.url, 'conversationEvents')) === 0,
      'the stopped subscription ended on the server',
    )

    expect(await page.locator('body').innerText()).not.toMatch(ERRORS_ON_SCREEN)
    expectNoErrors(c)
    await c.close()
  })
})
