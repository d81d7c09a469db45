// The package's public surface (an entry point, so it re-exports; nothing inside the package imports it).
export { createSwitchboardClient, SwitchboardClient, type SwitchboardClientOptions, type Viewer } from './client.js'
export { Connection, CLOSE_TIMED_OUT, type ConnectionState, type ConnectionStatus } from './connection.js'
export { SwitchboardError, type ErrorCode, type GraphQLErrorLike } from './errors.js'
export { httpExecutor, type Execute, type GetToken, type Document } from './http.js'
export { memoryStorage, type KeyValueStorage } from './storage.js'
export { Outbox, type OutboxEntry } from './outbox.js'
export {
  Timeline,
  TimelineState,
  type TimelineItem,
  type TimelineSnapshot,
  type TimelineStatus,
  type TimelineMessage,
  type TimelineEvent,
  type TimelineSource,
  type Gap,
  type MessageEdge,
} from './timeline.js'
export { Inbox, type InboxSnapshot, type InboxConversation, type InboxEvent } from './inbox.js'
export { ConversationStore, type ConversationSnapshot, type ConversationDetail } from './conversation.js'
export { Signals, type SignalsSnapshot, type Presence, type ConversationSignal } from './signals.js'
export { Notifications, type NotificationsSnapshot, type Notification } from './notifications.js'
export { Store } from './emitter.js'
export type { RetryOptions } from './backoff.js'
export * as documents from './generated/graphql.js'
