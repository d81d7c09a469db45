// The end user's widget: their support conversation with send, typing, read receipts and an unread badge
// (the inbox's unread count while the widget is folded).
import { useState } from 'react'
import { documents, type InboxConversation } from '@switchboard/client'
import { useInbox, useSwitchboard } from '@switchboard/client/react'
import type { Session } from './session.js'
import { Composer, Timeline, TypingLine } from './Timeline.js'

export function CustomerWidget({ session }: { session: Session }) {
  const client = useSwitchboard()
  const inbox = useInbox()
  const [open, setOpen] = useState(true)
  const [starting, setStarting] = useState<string | null>(null)
  const support: InboxConversation | undefined = inbox.conversations.find((c) => c.kind === 'SUPPORT')
  const unread = support?.unreadCount ?? 0

  const start = async () => {
    setStarting('Starting…')
    try {
      await client.execute(documents.SdkCreateConversationDocument, {
        input: { kind: 'SUPPORT', subject: `Help for ${session.name}`, groupIds: [session.supportGroupId] },
      })
      await inbox.reload()
      setStarting(null)
    } catch (e) {
      setStarting(`Could not start: ${(e as Error).message}`)
    }
  }

  return (
    <main className="widget-page">
      <p>This page stands for the host product. The support widget sits in the corner.</p>
      <aside className={`widget${open ? ' open' : ''}`} aria-label="Support chat">
        <button type="button" className="launcher" aria-expanded={open} onClick={() => setOpen(!open)}>
          Support chat
          {unread > 0 && !open && (
            <span className="badge" data-testid="unread-badge" aria-label={`${unread} unread`}>
              {unread}
            </span>
          )}
        </button>
        {open && (
          <div className="panel">
            {inbox.status === 'loading' && !support && <p role="status">Loading…</p>}
            {inbox.status === 'error' && <p role="alert">{inbox.error?.message}</p>}
            {!support && inbox.status === 'live' && (
              <div className="start">
                <p>Questions? Our team answers here.</p>
                <button type="button" onClick={() => void start()} disabled={starting === 'Starting…'}>
                  Contact support
                </button>
                {starting && starting !== 'Starting…' && <p role="alert">{starting}</p>}
              </div>
            )}
            {support && <Conversation conversation={support} viewerId={session.person} />}
          </div>
        )}
      </aside>
    </main>
  )
}

function Conversation({ conversation, viewerId }: { conversation: InboxConversation; viewerId: string }) {
  const me = conversation.participants.find((p) => p.user.externalId === viewerId)?.user.id ?? ''
  return (
    <>
      <h2 className="panel-title">
        {conversation.subject ?? 'Support'} <small data-testid="status">{conversation.status.toLowerCase()}</small>
      </h2>
      {conversation.assignee && <p className="hint">{conversation.assignee.displayName} is helping you</p>}
      <Timeline conversationId={conversation.id} viewerId={me} />
      <TypingLine conversationId={conversation.id} />
      <Composer conversationId={conversation.id} />
    </>
  )
}
