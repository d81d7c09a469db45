// The operator console: the support queue (unassigned / mine / all, waiting first), and the selected
// conversation with claim, reply, internal note, transfer, close/reopen and who else is viewing it.
import { useEffect, useState } from 'react'
import { documents, SwitchboardError, type InboxConversation } from '@switchboard/client'
import { useConversation, useInbox, useSwitchboard, useTyping } from '@switchboard/client/react'
import type { Session } from './session.js'
import { Composer, Timeline, TypingLine } from './Timeline.js'

type Queue = 'unassigned' | 'mine' | 'all'

export function OperatorConsole({ session }: { session: Session }) {
  const inbox = useInbox()
  const [queue, setQueue] = useState<Queue>('unassigned')
  const [selected, setSelected] = useState<string | null>(null)
  const support = inbox.conversations.filter((c) => c.kind === 'SUPPORT')
  const inQueue = (c: InboxConversation, q: Queue) =>
    q === 'all' ? true : c.status === 'CLOSED' ? false : q === 'unassigned' ? !c.assignee : c.assignee?.externalId === session.person
  const waitingFirst = (a: InboxConversation, b: InboxConversation) =>
    (a.waitingSince ?? '9999') < (b.waitingSince ?? '9999') ? -1 : (a.waitingSince ?? '9999') > (b.waitingSince ?? '9999') ? 1 : 0
  const shown = support.filter((c) => inQueue(c, queue)).sort(waitingFirst)

  return (
    <main className="console">
      <nav className="queue" aria-label="Support queue">
        <div role="tablist">
          {(['unassigned', 'mine', 'all'] as const).map((q) => (
            <button key={q} role="tab" aria-selected={queue === q} onClick={() => setQueue(q)} data-testid={`queue-${q}`}>
              {q === 'unassigned' ? 'Unassigned' : q === 'mine' ? 'Mine' : 'All'} ({support.filter((c) => inQueue(c, q)).length})
            </button>
          ))}
        </div>
        {inbox.status === 'error' && <p role="alert">{inbox.error?.message}</p>}
        <ul>
          {shown.length === 0 && <li className="hint">Nothing here.</li>}
          {shown.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={`row${selected === c.id ? ' selected' : ''}`}
                onClick={() => setSelected(c.id)}
                data-testid="queue-item"
              >
                <span className="subject">{c.subject ?? 'Support'}</span>
                {c.unreadCount > 0 && <span className="badge">{c.unreadCount}</span>}
                <small>
                  {c.status.toLowerCase()}
                  {c.assignee ? ` · ${c.assignee.displayName}` : ' · unassigned'}
                  {c.waitingSince ? ' · waiting' : ''}
                </small>
                {c.lastMessage && (
                  <small className="preview">
                    {c.lastMessage.internal ? '[note] ' : ''}
                    {c.lastMessage.body}
                  </small>
                )}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {selected ? <ConversationPane id={selected} session={session} /> : <p className="hint pane">Pick a conversation.</p>}
    </main>
  )
}

function ConversationPane({ id, session }: { id: string; session: Session }) {
  const client = useSwitchboard()
  const { conversation, status } = useConversation(id)
  const { viewing } = useTyping(id)
  const [problem, setProblem] = useState<string | null>(null)
  const [operators, setOperators] = useState<Array<{ externalId: string; displayName: string }>>([])

  // Staff presence: tell the other operators this conversation is open here (renewed before it lapses).
  useEffect(() => {
    const tell = () => void client.support.setViewing(id).catch(() => {})
    tell()
    const timer = setInterval(tell, 20_000)
    return () => clearInterval(timer)
  }, [client, id])

  useEffect(() => {
    client.execute(documents.SdkGroupsDocument, {}).then(
      ({ groups }) => {
        const people = new Map<string, string>()
        for (const g of groups)
          for (const m of g.members) if (m.user.externalId !== session.person) people.set(m.user.externalId, m.user.displayName)
        setOperators([...people].map(([externalId, displayName]) => ({ externalId, displayName })))
      },
      () => setOperators([]),
    )
  }, [client, session.person])

  if (status === 'not-found') return <p className="pane">This conversation is no longer visible to you.</p>
  if (!conversation)
    return (
      <p className="pane" role="status">
        Loading…
      </p>
    )

  const act = async (what: () => Promise<unknown>) => {
    setProblem(null)
    try {
      await what()
    } catch (e) {
      setProblem(
        e instanceof SwitchboardError && e.code === 'CONFLICT' ? `Someone else changed it first: ${e.message}` : (e as Error).message,
      )
    }
  }
  const me = conversation.participants.find((p) => p.user.externalId === session.person)?.user.id ?? ''
  const mine = conversation.assignee?.externalId === session.person
  return (
    <section className="pane" aria-label="Conversation">
      <header className="pane-header">
        <h2>{conversation.subject ?? 'Support'}</h2>
        <p>
          <span data-testid="status">{conversation.status.toLowerCase()}</span> ·{' '}
          <span data-testid="assignee">
            {conversation.assignee ? `assigned to ${mine ? 'you' : conversation.assignee.displayName}` : 'unassigned'}
          </span>
        </p>
        {viewing.length > 0 && (
          <p className="viewing" data-testid="viewing">
            Also viewing: {viewing.map((v) => v.user.displayName).join(', ')}
          </p>
        )}
        <div className="actions">
          {!conversation.assignee && conversation.status !== 'CLOSED' && (
            <button type="button" onClick={() => void act(() => client.support.claim(id))}>
              Claim
            </button>
          )}
          {operators.length > 0 && conversation.status !== 'CLOSED' && (
            <label>
              Transfer to{' '}
              <select
                value=""
                onChange={(e) => {
                  const to = e.target.value
                  if (to) void act(() => client.support.transfer(id, { assigneeExternalId: to }, conversation.version))
                }}
              >
                <option value="">—</option>
                {operators.map((o) => (
                  <option key={o.externalId} value={o.externalId}>
                    {o.displayName}
                  </option>
                ))}
              </select>
            </label>
          )}
          {conversation.status === 'OPEN' && (
            <button type="button" onClick={() => void act(() => client.support.markPending(id, conversation.version))}>
              Waiting on customer
            </button>
          )}
          {conversation.status !== 'CLOSED' ? (
            <button type="button" onClick={() => void act(() => client.support.close(id, conversation.version))}>
              Close
            </button>
          ) : (
            <button type="button" onClick={() => void act(() => client.support.reopen(id))}>
              Reopen
            </button>
          )}
        </div>
        {problem && <p role="alert">{problem}</p>}
      </header>
      <Timeline conversationId={id} viewerId={me} />
      <TypingLine conversationId={id} />
      <Composer
        conversationId={id}
        allowNotes
        disabledReason={
          conversation.viewerCanReply
            ? null
            : 'Another operator has this conversation: your reply would be refused. Internal notes are fine.'
        }
      />
    </section>
  )
}
