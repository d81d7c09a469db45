// React bindings: thin hooks over the core's stores with useSyncExternalStore. No DOM APIs: the same hooks
// work in React Native.
import { createContext, createElement, useCallback, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react'
import type { SwitchboardClient } from '../client.js'
import type { ConnectionState } from '../connection.js'
import type { ConversationSnapshot } from '../conversation.js'
import type { InboxSnapshot } from '../inbox.js'
import type { NotificationsSnapshot } from '../notifications.js'
import type { OutboxEntry } from '../outbox.js'
import type { SignalsSnapshot } from '../signals.js'
import type { Store } from '../emitter.js'
import type { TimelineSnapshot } from '../timeline.js'

const SwitchboardContext = createContext<SwitchboardClient | null>(null)

export function SwitchboardProvider(props: { client: SwitchboardClient; children?: ReactNode }) {
  return createElement(SwitchboardContext.Provider, { value: props.client }, props.children)
}

/** The client given to the nearest SwitchboardProvider. */
export function useSwitchboard(): SwitchboardClient {
  const client = useContext(SwitchboardContext)
  if (!client) throw new Error('useSwitchboard() needs a <SwitchboardProvider client={…}> above it')
  return client
}

function useStore<S>(store: Store<S>): S {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
}

/** The connection's state (connecting, connected, reconnecting …), e.g. for an offline banner. */
export function useConnectionState(): ConnectionState {
  const client = useSwitchboard()
  const subscribe = useCallback((onChange: () => void) => client.onConnectionChange(onChange), [client])
  const get = useCallback(() => client.connectionState, [client])
  return useSyncExternalStore(subscribe, get, get)
}

/** A conversation's messages (sent, then pending), live and resumed after every reconnect. */
export function useTimeline(conversationId: string): TimelineSnapshot & { loadOlder(): Promise<void> } {
  const timeline = useSwitchboard().timeline(conversationId)
  const snapshot = useStore(timeline)
  const loadOlder = useCallback(() => timeline.loadOlder(), [timeline])
  return { ...snapshot, loadOlder }
}

/** Sends through the outbox: returns the queued entry at once (it shows as pending in useTimeline). */
export function useSend(conversationId: string): {
  send(body: string, options?: { internal?: boolean }): OutboxEntry
  retry(clientMessageId: string): void
  discard(clientMessageId: string): void
} {
  const client = useSwitchboard()
  return {
    send: useCallback(
      (body: string, options?: { internal?: boolean }) => client.send(conversationId, body, options),
      [client, conversationId],
    ),
    retry: useCallback((id: string) => client.outbox.retry(id), [client]),
    discard: useCallback((id: string) => client.outbox.discard(id), [client]),
  }
}

/** The viewer's conversation list, most recent activity first, with unread counts and last messages. */
export function useInbox(): InboxSnapshot & { loadMore(): Promise<void>; reload(): Promise<void> } {
  const inbox = useSwitchboard().inbox()
  const snapshot = useStore(inbox)
  return { ...snapshot, loadMore: useCallback(() => inbox.loadMore(), [inbox]), reload: useCallback(() => inbox.reload(), [inbox]) }
}

/** One conversation's header and permissions, refreshed when it changes. */
export function useConversation(conversationId: string): ConversationSnapshot {
  return useStore(useSwitchboard().conversation(conversationId))
}

/** Who else is typing (and staff viewing); `notifyTyping()` on every keystroke is throttled for you. */
export function useTyping(conversationId: string): SignalsSnapshot & { notifyTyping(options?: { internal?: boolean }): void } {
  const signals = useSwitchboard().conversationSignals(conversationId)
  const snapshot = useStore(signals)
  const notifyTyping = useCallback((options?: { internal?: boolean }) => void signals.notifyTyping(options).catch(() => {}), [signals])
  return { ...snapshot, notifyTyping }
}

/** The viewer's notifications (newest first) and unread count, live. */
export function useNotifications(): NotificationsSnapshot & { markRead(ids?: readonly string[]): Promise<void> } {
  const store = useSwitchboard().notifications()
  const snapshot = useStore(store)
  return { ...snapshot, markRead: useCallback((ids?: readonly string[]) => store.markRead(ids), [store]) }
}

/** Marks the conversation read up to the timeline's position whenever it moves (while `enabled`, e.g. the screen is visible). */
export function useMarkRead(conversationId: string, enabled = true): void {
  const client = useSwitchboard()
  const { position } = useStore(client.timeline(conversationId))
  useEffect(() => {
    if (enabled && position !== null && position > 0) void client.markRead(conversationId, position).catch(() => {})
  }, [client, conversationId, position, enabled])
}
