import { builder } from '../../builder.js'
import { db, viewerOf } from '../../context.js'
import { decodeGlobalId } from '../../global-id.js'
import { conversationWhere } from '../../auth/visibility.js'
import { connectionCursor, messageCursor } from '../../cursors.js'
import { MessageRef, messagePage } from './types.js'

// The polling path (and REST: GET /rest/messages?conversationId=…&afterSeq=…): the same page as
// Conversation.messages, addressed by conversation id. Empty for a conversation the viewer may not see.
builder.queryField('messages', (t) =>
  t.prismaConnection({
    type: MessageRef,
    cursor: 'conversationId_seq',
    defaultSize: 50,
    maxSize: 200,
    description: 'Messages of a conversation in seq order; afterSeq returns only those created after it (catch-up and HTTP polling)',
    args: { conversationId: t.arg.id({ required: true }), afterSeq: t.arg.int() },
    resolve: (query, _root, args, ctx) => {
      const { typename, id } = decodeGlobalId(args.conversationId)
      const cursor = connectionCursor(args, messageCursor)
      // A cursor of another conversation's message answers as one of a message that does not exist.
      if (typename !== 'Conversation' || (cursor && cursor.conversationId !== id)) return []
      const page = messagePage(viewerOf(ctx), args.afterSeq)
      return db(ctx).message.findMany({
        ...query,
        where: { ...page.where, conversationId: id, conversation: conversationWhere(viewerOf(ctx)) },
        orderBy: page.orderBy,
      })
    },
  }),
)
