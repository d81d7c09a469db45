/* eslint-disable @typescript-eslint/no-explicit-any -- Pothos's field-builder type for a shared event-field helper is not nameable here */
// Timeline events as GraphQL types (conversationEvents, src/modules/conversations/subscriptions.ts).
import { builder } from '../../builder.js'
import { db } from '../../context.js'
import type { ConversationEvent } from '../../generated/prisma/client.js'
import { encodeGlobalId } from '../../global-id.js'
import type { TimelineItem } from '../../timeline/read.js'
import { ConversationRef, ConversationStatusEnum } from './types.js'
import { GroupRef } from '../groups/types.js'
import { MessageRef } from '../messages/types.js'
import { UserRef } from '../users/types.js'

export const ConversationEventRef = builder.interfaceRef<TimelineItem>('ConversationEvent').implement({
  description:
    'An entry of a conversation timeline. `seq` numbers the timeline gap-free from 1; keep the last one and resume with afterSeq',
  fields: (t) => ({
    seq: t.int({ resolve: (item) => (item.kind === 'event' ? item.event.seq : item.afterSeq) }),
    conversationId: t.id({
      resolve: (item) => encodeGlobalId('Conversation', item.kind === 'event' ? item.event.conversationId : item.conversationId),
    }),
  }),
  resolveType: (item) => {
    if (item.kind === 'truncated') return 'TimelineTruncatedEvent'
    return TYPE_NAMES[item.event.type]
  },
})

const TYPE_NAMES = {
  MESSAGE_ADDED: 'MessageAddedEvent',
  MESSAGE_EDITED: 'MessageEditedEvent',
  MESSAGE_DELETED: 'MessageDeletedEvent',
  PARTICIPANT_JOINED: 'ParticipantJoinedEvent',
  PARTICIPANT_LEFT: 'ParticipantLeftEvent',
  CONVERSATION_UPDATED: 'ConversationUpdatedEvent',
  CONVERSATION_ASSIGNED: 'ConversationAssignedEvent',
  CONVERSATION_TRANSFERRED: 'ConversationTransferredEvent',
  CONVERSATION_STATUS_CHANGED: 'ConversationStatusChangedEvent',
} as const satisfies Record<ConversationEvent['type'], string>

type EventItem = Extract<TimelineItem, { kind: 'event' }>

const eventType = (name: string, description: string, fields: (t: any) => Record<string, any>) =>
  builder.objectRef<EventItem>(name).implement({
    description,
    interfaces: [ConversationEventRef],
    fields: (t) => ({
      createdAt: t.field({ type: 'DateTime', resolve: (item) => item.event.createdAt }),
      actor: t.prismaField({
        type: UserRef,
        nullable: true,
        resolve: (query, item, _args, ctx) =>
          item.event.actorId ? db(ctx).user.findUnique({ ...query, where: { id: item.event.actorId } }) : null,
      }),
      override: t.boolean({
        description: 'An admin replied into a conversation assigned to someone else (reply policy ASSIGNEE_ONLY)',
        resolve: (item) => item.event.override,
      }),
      ...fields(t),
    }),
  })

const messageField = (t: any) => ({
  message: t.prismaField({
    type: MessageRef,
    resolve: (query: object, item: EventItem, _args: unknown, ctx: any) =>
      db(ctx).message.findUniqueOrThrow({ ...query, where: { id: item.event.messageId! } }),
  }),
})
const userField = (t: any) => ({
  user: t.prismaField({
    type: UserRef,
    resolve: (query: object, item: EventItem, _args: unknown, ctx: any) =>
      db(ctx).user.findUniqueOrThrow({ ...query, where: { id: item.event.userId! } }),
  }),
})

eventType('MessageAddedEvent', 'A message was sent; its seq is the message seq', messageField)
eventType('MessageEditedEvent', 'A message body was replaced (message carries the current body)', messageField)
eventType('MessageDeletedEvent', 'A message was deleted (message is the tombstone)', messageField)
eventType('ParticipantJoinedEvent', 'A user joined the conversation', userField)
eventType('ParticipantLeftEvent', 'A user left or was removed', userField)
eventType('ConversationUpdatedEvent', 'Subject or status changed', (t) => ({
  conversation: t.prismaField({
    type: ConversationRef,
    resolve: (query: object, item: EventItem, _args: unknown, ctx: any) =>
      db(ctx).conversation.findUniqueOrThrow({ ...query, where: { id: item.event.conversationId } }),
  }),
}))

eventType('ConversationAssignedEvent', 'SUPPORT: the assignee changed (claim, assign, unassign); actor is who did it', (t) => ({
  assignee: t.prismaField({
    type: UserRef,
    nullable: true,
    resolve: (query: object, item: EventItem, _args: unknown, ctx: any) =>
      item.event.userId ? db(ctx).user.findUnique({ ...query, where: { id: item.event.userId } }) : null,
  }),
}))
eventType('ConversationTransferredEvent', 'SUPPORT: moved to another group, unassigned', (t) => ({
  group: t.prismaField({
    type: GroupRef,
    nullable: true,
    resolve: (query: object, item: EventItem, _args: unknown, ctx: any) =>
      item.event.groupId ? db(ctx).group.findUnique({ ...query, where: { id: item.event.groupId } }) : null,
  }),
}))
eventType('ConversationStatusChangedEvent', 'SUPPORT: OPEN, PENDING (waiting on the end user) or CLOSED', (t) => ({
  status: t.field({ type: ConversationStatusEnum, resolve: (item: EventItem) => item.event.status ?? 'OPEN' }),
}))

builder.objectRef<Extract<TimelineItem, { kind: 'truncated' }>>('TimelineTruncatedEvent').implement({
  description:
    'The backlog after the requested seq is longer than the replay limit: page it with Conversation.messages(afterSeq: seq); the stream continues live after resumeAfterSeq',
  interfaces: [ConversationEventRef],
  fields: (t) => ({ resumeAfterSeq: t.exposeInt('resumeAfterSeq') }),
})
