/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type AssignConversationInput = {
  /** An operator of one of its groups, or an admin; omit or null to unassign */
  assigneeExternalId?: string | null | undefined;
  conversationId: string;
  /** The version you saw: a stale one is CONFLICT and changes nothing */
  expectedVersion: number;
};

/** Whose SUPPORT conversations to list */
export type AssigneeFilter =
  | 'ANY'
  | 'ME'
  | 'UNASSIGNED';

export type ClaimConversationInput = {
  conversationId: string;
};

export type CloseConversationInput = {
  conversationId: string;
  /** When given, a stale version is CONFLICT */
  expectedVersion?: number | null | undefined;
};

/** Narrows the conversation list; every given field must match */
export type ConversationFilter = {
  /** SUPPORT: assigned to the viewer (ME), to nobody (UNASSIGNED), or ANY */
  assignee?: AssigneeFilter | null | undefined;
  contextId?: string | null | undefined;
  contextType?: string | null | undefined;
  /** Conversations this group takes part in */
  groupId?: string | null | undefined;
  kind?: ConversationKind | null | undefined;
  status?: ConversationStatus | null | undefined;
  /** Only conversations with unread messages for the viewer */
  unreadOnly?: boolean | null | undefined;
};

/** DIRECT: two users, one per pair; GROUP: named members and groups; SUPPORT: an end user and the operators who serve them */
export type ConversationKind =
  | 'DIRECT'
  | 'GROUP'
  | 'SUPPORT';

/** Order of the conversation list */
export type ConversationOrder =
  /** Most recent activity first (the default) */
  | 'LAST_ACTIVITY'
  /** SUPPORT queue: longest-waiting end user first; answered conversations last */
  | 'WAITING_SINCE';

/** Lifecycle of a conversation (SUPPORT ones move between OPEN, PENDING and CLOSED) */
export type ConversationStatus =
  | 'CLOSED'
  | 'OPEN'
  | 'PENDING';

export type CreateConversationInput = {
  contextId?: string | null | undefined;
  /** Links the conversation to an entity of the host platform, with contextId */
  contextType?: string | null | undefined;
  /** Groups whose operators see and answer the conversation (SUPPORT needs one) */
  groupIds?: Array<string> | null | undefined;
  kind: ConversationKind;
  /** Users (by host-platform id) who take part besides the creator; they must exist in the tenant */
  participantExternalIds?: Array<string> | null | undefined;
  subject?: string | null | undefined;
};

export type DeleteMessageInput = {
  messageId: string;
};

export type EditMessageInput = {
  body: string;
  messageId: string;
};

/** How a conversation changed in the viewer's list */
export type InboxEventReason =
  | 'ADDED'
  | 'REMOVED'
  | 'UPDATED';

export type MarkDeliveredInput = {
  conversationId: string;
  /** The timeline position reached */
  seq: number;
};

export type MarkNotificationsReadInput = {
  all?: boolean | null | undefined;
  ids?: Array<string> | null | undefined;
};

export type MarkPendingInput = {
  conversationId: string;
  /** When given, a stale version is CONFLICT */
  expectedVersion?: number | null | undefined;
};

export type MarkReadInput = {
  conversationId: string;
  /** The timeline position reached */
  seq: number;
};

/** A participant's role within one conversation */
export type ParticipantRole =
  | 'MEMBER'
  | 'OBSERVER'
  | 'OWNER';

export type ReopenConversationInput = {
  conversationId: string;
};

/** A user's role in the tenant, from the token's role claim */
export type Role =
  | 'ADMIN'
  | 'MEMBER'
  | 'OPERATOR'
  | 'SERVICE';

export type SendMessageInput = {
  body: string;
  /** Chosen by the client (e.g. a UUID) and reused on every retry: the same id always answers with the original message */
  clientMessageId: string;
  conversationId: string;
  /** An internal note: operators and admins only; end users never see it */
  internal?: boolean | null | undefined;
};

export type SetTypingInput = {
  conversationId: string;
  /** Typing an internal note: only operators and admins see it */
  internal?: boolean | null | undefined;
};

export type SetViewingInput = {
  conversationId: string;
};

export type TransferConversationInput = {
  /** Or assign to this operator */
  assigneeExternalId?: string | null | undefined;
  conversationId: string;
  expectedVersion: number;
  /** Move to this group (unassigns it) */
  groupId?: string | null | undefined;
};

export type InboxPageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ConversationFilter | null | undefined;
  orderBy?: ConversationOrder | null | undefined;
}>;


export type InboxPageQuery = { conversations: { edges: Array<{ cursor: string, node: { id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ConversationDetailQueryVariables = Exact<{
  id: string;
}>;


export type ConversationDetailQuery = { conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } | null };

export type InboxEventsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type InboxEventsSubscription = { inboxEvents: { reason: InboxEventReason, conversationId: string, conversation: { id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } | null } };

export type SdkMarkReadMutationVariables = Exact<{
  input: MarkReadInput;
}>;


export type SdkMarkReadMutation = { markRead: { lastReadSeq: number, lastDeliveredSeq: number } };

export type SdkMarkDeliveredMutationVariables = Exact<{
  input: MarkDeliveredInput;
}>;


export type SdkMarkDeliveredMutation = { markDelivered: { lastReadSeq: number, lastDeliveredSeq: number } };

export type SdkUserFragment = { id: string, externalId: string, displayName: string, role: Role };

export type TimelineMessageFragment = { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } };

export type InboxConversationFragment = { id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> };

export type ConversationDetailFragment = { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> };

export type SdkNotificationFragment = { id: string, type: string, title: string, body: string | null, data: unknown, entityId: string | null, createdAt: string, readAt: string | null };

export type SdkSendMessageMutationVariables = Exact<{
  input: SendMessageInput;
}>;


export type SdkSendMessageMutation = { sendMessage: { message: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } } };

export type SdkEditMessageMutationVariables = Exact<{
  input: EditMessageInput;
}>;


export type SdkEditMessageMutation = { editMessage: { message: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } } };

export type SdkDeleteMessageMutationVariables = Exact<{
  input: DeleteMessageInput;
}>;


export type SdkDeleteMessageMutation = { deleteMessage: { message: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } } };

export type SdkNotificationsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  unreadOnly?: boolean | null | undefined;
}>;


export type SdkNotificationsQuery = { notificationUnreadCount: number, notifications: { edges: Array<{ cursor: string, node: { id: string, type: string, title: string, body: string | null, data: unknown, entityId: string | null, createdAt: string, readAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SdkMarkNotificationsReadMutationVariables = Exact<{
  input: MarkNotificationsReadInput;
}>;


export type SdkMarkNotificationsReadMutation = { markNotificationsRead: { markedCount: number, unreadCount: number } };

export type SdkNotificationAddedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type SdkNotificationAddedSubscription = { notificationAdded: { id: string, type: string, title: string, body: string | null, data: unknown, entityId: string | null, createdAt: string, readAt: string | null } };

export type SdkConversationSignalsSubscriptionVariables = Exact<{
  conversationId: string;
}>;


export type SdkConversationSignalsSubscription = { conversationSignals:
    | { __typename: 'ReceiptSignal', lastReadSeq: number, lastDeliveredSeq: number, conversationId: string, user: { id: string, externalId: string, displayName: string, role: Role } }
    | { __typename: 'TypingSignal', expiresAt: string, internal: boolean, conversationId: string, user: { id: string, externalId: string, displayName: string, role: Role } }
    | { __typename: 'ViewingSignal', expiresAt: string, conversationId: string, user: { id: string, externalId: string, displayName: string, role: Role } }
   };

export type SdkSetTypingMutationVariables = Exact<{
  input: SetTypingInput;
}>;


export type SdkSetTypingMutation = { setTyping: { expiresAt: string } };

export type SdkSetViewingMutationVariables = Exact<{
  input: SetViewingInput;
}>;


export type SdkSetViewingMutation = { setViewing: { expiresAt: string } };

export type SdkCreateConversationMutationVariables = Exact<{
  input: CreateConversationInput;
}>;


export type SdkCreateConversationMutation = { createConversation: { created: boolean, conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } } };

export type SdkSupportCountsQueryVariables = Exact<{
  groupId?: string | null | undefined;
}>;


export type SdkSupportCountsQuery = { supportCounts: { open: number, pending: number, closed: number, unassigned: number, mine: number } };

export type SdkGroupsQueryVariables = Exact<{ [key: string]: never; }>;


export type SdkGroupsQuery = { groups: Array<{ id: string, name: string, members: Array<{ user: { id: string, externalId: string, displayName: string, role: Role } }> }> };

export type SdkClaimConversationMutationVariables = Exact<{
  input: ClaimConversationInput;
}>;


export type SdkClaimConversationMutation = { claimConversation: { conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } } };

export type SdkAssignConversationMutationVariables = Exact<{
  input: AssignConversationInput;
}>;


export type SdkAssignConversationMutation = { assignConversation: { conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } } };

export type SdkTransferConversationMutationVariables = Exact<{
  input: TransferConversationInput;
}>;


export type SdkTransferConversationMutation = { transferConversation: { conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } } };

export type SdkCloseConversationMutationVariables = Exact<{
  input: CloseConversationInput;
}>;


export type SdkCloseConversationMutation = { closeConversation: { conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } } };

export type SdkReopenConversationMutationVariables = Exact<{
  input: ReopenConversationInput;
}>;


export type SdkReopenConversationMutation = { reopenConversation: { conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } } };

export type SdkMarkConversationPendingMutationVariables = Exact<{
  input: MarkPendingInput;
}>;


export type SdkMarkConversationPendingMutation = { markConversationPending: { conversation: { createdAt: string, updatedAt: string, viewerCanSend: boolean, viewerCanReply: boolean, viewerCanUpdate: boolean, viewerCanManageParticipants: boolean, id: string, kind: ConversationKind, subject: string | null, status: ConversationStatus, version: number, lastSeq: number, unreadCount: number, viewerLastReadSeq: number, lastActivityAt: string, waitingSince: string | null, contextType: string | null, contextId: string | null, groups: Array<{ group: { id: string, name: string } }>, assignee: { id: string, externalId: string, displayName: string, role: Role } | null, lastMessage: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } | null, participants: Array<{ role: ParticipantRole, lastReadSeq: number, lastDeliveredSeq: number, user: { id: string, externalId: string, displayName: string, role: Role } }> } } };

export type TimelineLatestQueryVariables = Exact<{
  conversationId: string;
  last: number;
}>;


export type TimelineLatestQuery = { conversation: { id: string, lastSeq: number, messages: { edges: Array<{ cursor: string, node: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } }>, pageInfo: { hasPreviousPage: boolean, startCursor: string | null } } } | null };

export type TimelineBeforeQueryVariables = Exact<{
  conversationId: string;
  before: string;
  last: number;
}>;


export type TimelineBeforeQuery = { conversation: { id: string, lastSeq: number, messages: { edges: Array<{ cursor: string, node: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } }>, pageInfo: { hasPreviousPage: boolean, startCursor: string | null } } } | null };

export type TimelineAfterQueryVariables = Exact<{
  conversationId: string;
  afterSeq: number;
  first: number;
  after?: string | null | undefined;
}>;


export type TimelineAfterQuery = { conversation: { id: string, lastSeq: number, messages: { edges: Array<{ cursor: string, node: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type TimelineEventsSubscriptionVariables = Exact<{
  conversationId: string;
  afterSeq?: number | null | undefined;
}>;


export type TimelineEventsSubscription = { conversationEvents:
    | { __typename: 'ConversationAssignedEvent', seq: number, conversationId: string, assignee: { id: string, externalId: string, displayName: string, role: Role } | null }
    | { __typename: 'ConversationStatusChangedEvent', status: ConversationStatus, seq: number, conversationId: string }
    | { __typename: 'ConversationTransferredEvent', seq: number, conversationId: string, group: { id: string, name: string } | null }
    | { __typename: 'ConversationUpdatedEvent', seq: number, conversationId: string, conversation: { id: string, subject: string | null, status: ConversationStatus, version: number } }
    | { __typename: 'MessageAddedEvent', seq: number, conversationId: string, message: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } }
    | { __typename: 'MessageDeletedEvent', seq: number, conversationId: string, message: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } }
    | { __typename: 'MessageEditedEvent', seq: number, conversationId: string, message: { id: string, seq: number, body: string | null, clientMessageId: string, createdAt: string, editedAt: string | null, deletedAt: string | null, internal: boolean, sender: { id: string, externalId: string, displayName: string, role: Role } } }
    | { __typename: 'ParticipantJoinedEvent', seq: number, conversationId: string, user: { id: string, externalId: string, displayName: string, role: Role } }
    | { __typename: 'ParticipantLeftEvent', seq: number, conversationId: string, user: { id: string, externalId: string, displayName: string, role: Role } }
    | { __typename: 'TimelineTruncatedEvent', resumeAfterSeq: number, seq: number, conversationId: string }
   };

export type SdkViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type SdkViewerQuery = { viewer: { tokenExpiresAt: string | null, user: { id: string, externalId: string, displayName: string, role: Role }, tenant: { id: string, externalId: string } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const SdkUserFragmentDoc = new TypedDocumentString(`
    fragment SdkUser on User {
  id
  externalId
  displayName
  role
}
    `, {"fragmentName":"SdkUser"}) as unknown as TypedDocumentString<SdkUserFragment, unknown>;
export const TimelineMessageFragmentDoc = new TypedDocumentString(`
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
    `, {"fragmentName":"TimelineMessage"}) as unknown as TypedDocumentString<TimelineMessageFragment, unknown>;
export const InboxConversationFragmentDoc = new TypedDocumentString(`
    fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`, {"fragmentName":"InboxConversation"}) as unknown as TypedDocumentString<InboxConversationFragment, unknown>;
export const ConversationDetailFragmentDoc = new TypedDocumentString(`
    fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}`, {"fragmentName":"ConversationDetail"}) as unknown as TypedDocumentString<ConversationDetailFragment, unknown>;
export const SdkNotificationFragmentDoc = new TypedDocumentString(`
    fragment SdkNotification on Notification {
  id
  type
  title
  body
  data
  entityId
  createdAt
  readAt
}
    `, {"fragmentName":"SdkNotification"}) as unknown as TypedDocumentString<SdkNotificationFragment, unknown>;
export const InboxPageDocument = new TypedDocumentString(`
    query InboxPage($first: Int, $after: String, $filter: ConversationFilter, $orderBy: ConversationOrder) {
  conversations(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges {
      cursor
      node {
        ...InboxConversation
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}`) as unknown as TypedDocumentString<InboxPageQuery, InboxPageQueryVariables>;
export const ConversationDetailDocument = new TypedDocumentString(`
    query ConversationDetail($id: ID!) {
  conversation(id: $id) {
    ...ConversationDetail
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<ConversationDetailQuery, ConversationDetailQueryVariables>;
export const InboxEventsDocument = new TypedDocumentString(`
    subscription InboxEvents {
  inboxEvents {
    reason
    conversationId
    conversation {
      ...InboxConversation
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}`) as unknown as TypedDocumentString<InboxEventsSubscription, InboxEventsSubscriptionVariables>;
export const SdkMarkReadDocument = new TypedDocumentString(`
    mutation SdkMarkRead($input: MarkReadInput!) {
  markRead(input: $input) {
    lastReadSeq
    lastDeliveredSeq
  }
}
    `) as unknown as TypedDocumentString<SdkMarkReadMutation, SdkMarkReadMutationVariables>;
export const SdkMarkDeliveredDocument = new TypedDocumentString(`
    mutation SdkMarkDelivered($input: MarkDeliveredInput!) {
  markDelivered(input: $input) {
    lastReadSeq
    lastDeliveredSeq
  }
}
    `) as unknown as TypedDocumentString<SdkMarkDeliveredMutation, SdkMarkDeliveredMutationVariables>;
export const SdkSendMessageDocument = new TypedDocumentString(`
    mutation SdkSendMessage($input: SendMessageInput!) {
  sendMessage(input: $input) {
    message {
      ...TimelineMessage
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`) as unknown as TypedDocumentString<SdkSendMessageMutation, SdkSendMessageMutationVariables>;
export const SdkEditMessageDocument = new TypedDocumentString(`
    mutation SdkEditMessage($input: EditMessageInput!) {
  editMessage(input: $input) {
    message {
      ...TimelineMessage
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`) as unknown as TypedDocumentString<SdkEditMessageMutation, SdkEditMessageMutationVariables>;
export const SdkDeleteMessageDocument = new TypedDocumentString(`
    mutation SdkDeleteMessage($input: DeleteMessageInput!) {
  deleteMessage(input: $input) {
    message {
      ...TimelineMessage
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`) as unknown as TypedDocumentString<SdkDeleteMessageMutation, SdkDeleteMessageMutationVariables>;
export const SdkNotificationsDocument = new TypedDocumentString(`
    query SdkNotifications($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    edges {
      cursor
      node {
        ...SdkNotification
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
  notificationUnreadCount
}
    fragment SdkNotification on Notification {
  id
  type
  title
  body
  data
  entityId
  createdAt
  readAt
}`) as unknown as TypedDocumentString<SdkNotificationsQuery, SdkNotificationsQueryVariables>;
export const SdkMarkNotificationsReadDocument = new TypedDocumentString(`
    mutation SdkMarkNotificationsRead($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) {
    markedCount
    unreadCount
  }
}
    `) as unknown as TypedDocumentString<SdkMarkNotificationsReadMutation, SdkMarkNotificationsReadMutationVariables>;
export const SdkNotificationAddedDocument = new TypedDocumentString(`
    subscription SdkNotificationAdded {
  notificationAdded {
    ...SdkNotification
  }
}
    fragment SdkNotification on Notification {
  id
  type
  title
  body
  data
  entityId
  createdAt
  readAt
}`) as unknown as TypedDocumentString<SdkNotificationAddedSubscription, SdkNotificationAddedSubscriptionVariables>;
export const SdkConversationSignalsDocument = new TypedDocumentString(`
    subscription SdkConversationSignals($conversationId: ID!) {
  conversationSignals(conversationId: $conversationId) {
    __typename
    conversationId
    user {
      ...SdkUser
    }
    ... on TypingSignal {
      expiresAt
      internal
    }
    ... on ViewingSignal {
      expiresAt
    }
    ... on ReceiptSignal {
      lastReadSeq
      lastDeliveredSeq
    }
  }
}
    fragment SdkUser on User {
  id
  externalId
  displayName
  role
}`) as unknown as TypedDocumentString<SdkConversationSignalsSubscription, SdkConversationSignalsSubscriptionVariables>;
export const SdkSetTypingDocument = new TypedDocumentString(`
    mutation SdkSetTyping($input: SetTypingInput!) {
  setTyping(input: $input) {
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<SdkSetTypingMutation, SdkSetTypingMutationVariables>;
export const SdkSetViewingDocument = new TypedDocumentString(`
    mutation SdkSetViewing($input: SetViewingInput!) {
  setViewing(input: $input) {
    expiresAt
  }
}
    `) as unknown as TypedDocumentString<SdkSetViewingMutation, SdkSetViewingMutationVariables>;
export const SdkCreateConversationDocument = new TypedDocumentString(`
    mutation SdkCreateConversation($input: CreateConversationInput!) {
  createConversation(input: $input) {
    created
    conversation {
      ...ConversationDetail
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<SdkCreateConversationMutation, SdkCreateConversationMutationVariables>;
export const SdkSupportCountsDocument = new TypedDocumentString(`
    query SdkSupportCounts($groupId: ID) {
  supportCounts(groupId: $groupId) {
    open
    pending
    closed
    unassigned
    mine
  }
}
    `) as unknown as TypedDocumentString<SdkSupportCountsQuery, SdkSupportCountsQueryVariables>;
export const SdkGroupsDocument = new TypedDocumentString(`
    query SdkGroups {
  groups {
    id
    name
    members {
      user {
        ...SdkUser
      }
    }
  }
}
    fragment SdkUser on User {
  id
  externalId
  displayName
  role
}`) as unknown as TypedDocumentString<SdkGroupsQuery, SdkGroupsQueryVariables>;
export const SdkClaimConversationDocument = new TypedDocumentString(`
    mutation SdkClaimConversation($input: ClaimConversationInput!) {
  claimConversation(input: $input) {
    conversation {
      ...ConversationDetail
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<SdkClaimConversationMutation, SdkClaimConversationMutationVariables>;
export const SdkAssignConversationDocument = new TypedDocumentString(`
    mutation SdkAssignConversation($input: AssignConversationInput!) {
  assignConversation(input: $input) {
    conversation {
      ...ConversationDetail
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<SdkAssignConversationMutation, SdkAssignConversationMutationVariables>;
export const SdkTransferConversationDocument = new TypedDocumentString(`
    mutation SdkTransferConversation($input: TransferConversationInput!) {
  transferConversation(input: $input) {
    conversation {
      ...ConversationDetail
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<SdkTransferConversationMutation, SdkTransferConversationMutationVariables>;
export const SdkCloseConversationDocument = new TypedDocumentString(`
    mutation SdkCloseConversation($input: CloseConversationInput!) {
  closeConversation(input: $input) {
    conversation {
      ...ConversationDetail
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<SdkCloseConversationMutation, SdkCloseConversationMutationVariables>;
export const SdkReopenConversationDocument = new TypedDocumentString(`
    mutation SdkReopenConversation($input: ReopenConversationInput!) {
  reopenConversation(input: $input) {
    conversation {
      ...ConversationDetail
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<SdkReopenConversationMutation, SdkReopenConversationMutationVariables>;
export const SdkMarkConversationPendingDocument = new TypedDocumentString(`
    mutation SdkMarkConversationPending($input: MarkPendingInput!) {
  markConversationPending(input: $input) {
    conversation {
      ...ConversationDetail
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}
fragment InboxConversation on Conversation {
  id
  kind
  subject
  status
  version
  lastSeq
  unreadCount
  viewerLastReadSeq
  lastActivityAt
  waitingSince
  contextType
  contextId
  assignee {
    id
    externalId
    displayName
    role
  }
  lastMessage {
    ...TimelineMessage
  }
  participants {
    role
    lastReadSeq
    lastDeliveredSeq
    user {
      id
      externalId
      displayName
      role
    }
  }
}
fragment ConversationDetail on Conversation {
  ...InboxConversation
  createdAt
  updatedAt
  viewerCanSend
  viewerCanReply
  viewerCanUpdate
  viewerCanManageParticipants
  groups {
    group {
      id
      name
    }
  }
}`) as unknown as TypedDocumentString<SdkMarkConversationPendingMutation, SdkMarkConversationPendingMutationVariables>;
export const TimelineLatestDocument = new TypedDocumentString(`
    query TimelineLatest($conversationId: ID!, $last: Int!) {
  conversation(id: $conversationId) {
    id
    lastSeq
    messages(last: $last) {
      edges {
        cursor
        node {
          ...TimelineMessage
        }
      }
      pageInfo {
        hasPreviousPage
        startCursor
      }
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`) as unknown as TypedDocumentString<TimelineLatestQuery, TimelineLatestQueryVariables>;
export const TimelineBeforeDocument = new TypedDocumentString(`
    query TimelineBefore($conversationId: ID!, $before: String!, $last: Int!) {
  conversation(id: $conversationId) {
    id
    lastSeq
    messages(last: $last, before: $before) {
      edges {
        cursor
        node {
          ...TimelineMessage
        }
      }
      pageInfo {
        hasPreviousPage
        startCursor
      }
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`) as unknown as TypedDocumentString<TimelineBeforeQuery, TimelineBeforeQueryVariables>;
export const TimelineAfterDocument = new TypedDocumentString(`
    query TimelineAfter($conversationId: ID!, $afterSeq: Int!, $first: Int!, $after: String) {
  conversation(id: $conversationId) {
    id
    lastSeq
    messages(afterSeq: $afterSeq, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...TimelineMessage
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`) as unknown as TypedDocumentString<TimelineAfterQuery, TimelineAfterQueryVariables>;
export const TimelineEventsDocument = new TypedDocumentString(`
    subscription TimelineEvents($conversationId: ID!, $afterSeq: Int) {
  conversationEvents(conversationId: $conversationId, afterSeq: $afterSeq) {
    __typename
    seq
    conversationId
    ... on MessageAddedEvent {
      message {
        ...TimelineMessage
      }
    }
    ... on MessageEditedEvent {
      message {
        ...TimelineMessage
      }
    }
    ... on MessageDeletedEvent {
      message {
        ...TimelineMessage
      }
    }
    ... on ParticipantJoinedEvent {
      user {
        ...SdkUser
      }
    }
    ... on ParticipantLeftEvent {
      user {
        ...SdkUser
      }
    }
    ... on ConversationUpdatedEvent {
      conversation {
        id
        subject
        status
        version
      }
    }
    ... on ConversationAssignedEvent {
      assignee {
        ...SdkUser
      }
    }
    ... on ConversationStatusChangedEvent {
      status
    }
    ... on ConversationTransferredEvent {
      group {
        id
        name
      }
    }
    ... on TimelineTruncatedEvent {
      resumeAfterSeq
    }
  }
}
    fragment SdkUser on User {
  id
  externalId
  displayName
  role
}
fragment TimelineMessage on Message {
  id
  seq
  body
  clientMessageId
  createdAt
  editedAt
  deletedAt
  internal
  sender {
    id
    externalId
    displayName
    role
  }
}`) as unknown as TypedDocumentString<TimelineEventsSubscription, TimelineEventsSubscriptionVariables>;
export const SdkViewerDocument = new TypedDocumentString(`
    query SdkViewer {
  viewer {
    user {
      ...SdkUser
    }
    tenant {
      id
      externalId
    }
    tokenExpiresAt
  }
}
    fragment SdkUser on User {
  id
  externalId
  displayName
  role
}`) as unknown as TypedDocumentString<SdkViewerQuery, SdkViewerQueryVariables>;