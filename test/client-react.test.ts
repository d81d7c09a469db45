// The React bindings render the core's live state: a component under SwitchboardProvider reads a
// timeline, the send queue, the inbox and the connection through the hooks (server rendering reads the
// stores' current snapshots; live updates are the core's, tested in client-sdk.test.ts).
import { createRequire } from 'node:module'
import { createElement, type ReactElement } from 'react'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { createSwitchboardClient } from '../client/src/client.js'
import { SwitchboardProvider, useConnectionState, useInbox, useSwitchboard, useTimeline } from '../client/src/react/index.js'
import { startTestApp, type TestApp } from './kit/app.js'
import { client } from './kit/execute.js'
import { waitUntil } from './kit/ready.js'
import { tenantWorld } from './kit/world.js'
import { CreateConversationDocument } from '../client/generated/graphql.js'

const { renderToString } = createRequire(import.meta.url)('react-dom/server') as { renderToString(element: ReactElement): string }

let t: TestApp
beforeAll(async () => {
  t = await startTestApp()
})
afterAll(() => t.stop())

describe('React bindings', () => {
  it('useTimeline, useInbox and useConnectionState render what the client holds, sent and pending', async () => {
    const w = tenantWorld(t.graphqlUrl)
    const [alice] = await Promise.all([w.user('alice'), w.user('bob')])
    const conversationId = (
      await client(t.graphqlUrl)({
        document: CreateConversationDocument,
        token: alice.token,
        variables: { input: { kind: 'DIRECT', participantExternalIds: ['bob'] } },
      })
    ).expectData().createConversation.conversation.id
    const sdk = createSwitchboardClient({ url: t.graphqlUrl, getToken: () => alice.token, WebSocket })
    onTestFinished(() => sdk.close())
    const timeline = sdk.timeline(conversationId)
    const inbox = sdk.inbox()
    onTestFinished(timeline.subscribe(() => {}))
    onTestFinished(inbox.subscribe(() => {}))
    await sdk.acknowledged(sdk.send(conversationId, 'first').clientMessageId)
    await waitUntil(
      () => timeline.getSnapshot().items.length === 1 && inbox.getSnapshot().conversations[0]?.lastMessage?.body === 'first',
      'the stores hold the message and the conversation with it',
    )
    sdk.outbox.close() // so the next send stays pending
    sdk.send(conversationId, 'second')

    function Screen() {
      const { items, status } = useTimeline(conversationId)
      const { conversations } = useInbox()
      const connection = useConnectionState()
      return createElement(
        'main',
        null,
        createElement('p', { id: 'status' }, `${status}/${connection.status}`),
        createElement('p', { id: 'inbox' }, conversations.map((c) => c.lastMessage?.body).join(',')),
        createElement(
          'ul',
          null,
          ...items.map((i) => createElement('li', { key: i.key }, `${i.status}:${i.status === 'sent' ? i.message.body : i.entry.body}`)),
        ),
      )
    }
    const html = renderToString(createElement(SwitchboardProvider, { client: sdk }, createElement(Screen)))
    expect(html).toContain('<p id="status">live/connected</p>')
    expect(html).toContain('<p id="inbox">first</p>')
    expect(html).toMatch(/<li>sent:first<\/li><li>pending:second<\/li>/)
  })

  it('a hook outside SwitchboardProvider says what is missing', () => {
    function Orphan() {
      useSwitchboard()
      return null
    }
    expect(() => renderToString(createElement(Orphan))).toThrow('useSwitchboard() needs a <SwitchboardProvider client={…}> above it')
  })
})
