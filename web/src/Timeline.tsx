// A conversation's messages as the SDK holds them: sent ones in seq order, then the viewer's pending and
// failed sends. Internal notes are marked (end users never receive them). "Seen" under the viewer's own
// messages comes from the other participants' read positions.
import { useEffect, useRef } from 'react'
import type { TimelineItem } from '@switchboard/client'
import { useConversation, useMarkRead, useSend, useTimeline, useTyping } from '@switchboard/client/react'

export function Timeline({ conversationId, viewerId }: { conversationId: string; viewerId: string }) {
  const timeline = useTimeline(conversationId)
  const { conversation } = useConversation(conversationId)
  const { receipts } = useTyping(conversationId)
  const { retry, discard } = useSend(conversationId)
  useMarkRead(conversationId, typeof document === 'undefined' || document.visibilityState === 'visible')
  const end = useRef<HTMLLIElement>(null)
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' })
  }, [timeline.items.length])

  // Others' read positions: live receipts over the participants' positions when the conversation loaded.
  const readBy = new Map<string, { name: string; seq: number }>()
  for (const p of conversation?.participants ?? [])
    if (p.user.id !== viewerId) readBy.set(p.user.id, { name: p.user.displayName, seq: p.lastReadSeq })
  for (const r of Object.values(receipts))
    if (r.user.id !== viewerId)
      readBy.set(r.user.id, { name: r.user.displayName, seq: Math.max(r.lastReadSeq, readBy.get(r.user.id)?.seq ?? 0) })
  const lastOwnSeq = Math.max(
    0,
    ...timeline.items.filter((i) => i.status === 'sent' && i.message.sender?.id === viewerId).map((i) => i.seq ?? 0),
  )
  const seenBy = [...readBy.values()].filter((r) => lastOwnSeq > 0 && r.seq >= lastOwnSeq).map((r) => r.name)

  return (
    <section className="timeline" aria-label="Messages">
      {timeline.hasOlder && (
        <button type="button" className="link" onClick={() => void timeline.loadOlder()} disabled={timeline.loadingOlder}>
          {timeline.loadingOlder ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {timeline.status === 'error' && <p role="alert">Could not load messages: {timeline.error?.message}</p>}
      <ol aria-live="polite" data-testid="messages">
        {timeline.items.map((item) => (
          <Message key={item.key} item={item} viewerId={viewerId} retry={retry} discard={discard} />
        ))}
        <li ref={end} className="end" aria-hidden />
      </ol>
      {seenBy.length > 0 && (
        <p className="seen" data-testid="seen">
          Seen by {seenBy.join(', ')}
        </p>
      )}
    </section>
  )
}

function Message({
  item,
  viewerId,
  retry,
  discard,
}: {
  item: TimelineItem
  viewerId: string
  retry(id: string): void
  discard(id: string): void
}) {
  if (item.status !== 'sent') {
    const { entry } = item
    return (
      <li
        className={`message own ${item.status}${entry.internal ? ' note' : ''}`}
        data-status={item.status}
        data-client-id={item.clientMessageId}
      >
        {entry.internal && <span className="tag">Internal note</span>}
        <p className="body">{entry.body}</p>
        {item.status === 'pending' ? (
          <small>Sending…</small>
        ) : (
          <small role="alert">
            Not sent: {entry.error?.message ?? 'failed'}{' '}
            <button type="button" className="link" onClick={() => retry(item.clientMessageId)}>
              Retry
            </button>{' '}
            <button type="button" className="link" onClick={() => discard(item.clientMessageId)}>
              Discard
            </button>
          </small>
        )}
      </li>
    )
  }
  const m = item.message
  const own = m.sender?.id === viewerId
  return (
    <li
      className={`message${own ? ' own' : ''}${m.internal ? ' note' : ''}`}
      data-status="sent"
      data-seq={item.seq}
      data-client-id={m.clientMessageId}
    >
      <span className="meta">
        {m.internal && <span className="tag">Internal note</span>}
        <span className="sender">{own ? 'You' : (m.sender?.displayName ?? 'Someone')}</span>{' '}
        <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleTimeString()}</time>
        {m.editedAt && !m.deletedAt && <span> (edited)</span>}
      </span>
      <p className="body">{m.deletedAt ? <em>Message deleted</em> : m.body}</p>
    </li>
  )
}

/** The message box: Enter sends, typing is signalled (throttled by the SDK). */
export function Composer({
  conversationId,
  allowNotes = false,
  disabledReason,
}: {
  conversationId: string
  allowNotes?: boolean
  disabledReason?: string | null
}) {
  const { send } = useSend(conversationId)
  const { notifyTyping } = useTyping(conversationId)
  const box = useRef<HTMLTextAreaElement>(null)
  const note = useRef<HTMLInputElement>(null)
  const submit = () => {
    const body = box.current?.value.trim()
    if (!body) return
    send(body, { internal: note.current?.checked ?? false })
    box.current!.value = ''
    if (note.current) note.current.checked = false
  }
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      {disabledReason && <p className="hint">{disabledReason}</p>}
      <label>
        <span className="visually-hidden">Message</span>
        <textarea
          ref={box}
          rows={2}
          placeholder="Write a message…"
          aria-label="Message"
          onChange={() => notifyTyping({ internal: note.current?.checked ?? false })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault()
              submit()
            }
          }}
        />
      </label>
      {allowNotes && (
        <label className="note-toggle">
          <input ref={note} type="checkbox" /> Internal note (customers never see it)
        </label>
      )}
      <button type="submit">Send</button>
    </form>
  )
}

/** "Olivia is typing…" */
export function TypingLine({ conversationId }: { conversationId: string }) {
  const { typing } = useTyping(conversationId)
  if (!typing.length) return <p className="typing" aria-live="polite" />
  return (
    <p className="typing" aria-live="polite" data-testid="typing">
      {typing.map((t) => t.user.displayName).join(', ')} {typing.length > 1 ? 'are' : 'is'} typing…
    </p>
  )
}
