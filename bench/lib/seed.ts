// Seeding through the public GraphQL API (setup only, so plain fetch + JSON.parse): a fresh tenant per run,
// users (upsertUser by an admin token), conversations (createConversation + addParticipants).
import { SignJWT } from 'jose'
import { BenchFailure } from './common.js'
import { BENCH_JWT_SECRET } from './server.js'

export interface User {
  externalId: string
  token: string
}

export class Api {
  constructor(
    readonly graphqlUrl: string,
    readonly tenant: string,
  ) {}

  sign(sub: string, role: 'admin' | 'member', name: string): Promise<string> {
    const iat = Math.floor(Date.now() / 1000)
    return new SignJWT({ tid: this.tenant, role, name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 4 * 3600)
      .sign(new TextEncoder().encode(BENCH_JWT_SECRET))
  }

  async gql<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const response = await fetch(this.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    })
    const text = await response.text()
    let json: { data?: T; errors?: unknown[] }
    try {
      json = JSON.parse(text)
    } catch {
      throw new BenchFailure(`HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`)
    }
    if (json.errors?.length || !json.data)
      throw new BenchFailure(`${query.slice(0, 60)}…: HTTP ${response.status}: ${JSON.stringify(json.errors ?? json).slice(0, 500)}`)
    return json.data
  }

  async upsertUsers(admin: string, ids: string[], concurrency = 8): Promise<void> {
    let next = 0
    const worker = async () => {
      while (next < ids.length) {
        const externalId = ids[next++]!
        await this.gql(
          'mutation($i:UpsertUserInput!){upsertUser(input:$i){user{id}}}',
          { i: { externalId, displayName: externalId, role: 'MEMBER' } },
          admin,
        )
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  }

  /** A GROUP conversation created by `creator` with `others` as participants; returns its global id. */
  async createGroup(creator: string, subject: string, others: string[]): Promise<string> {
    const { createConversation } = await this.gql<{ createConversation: { conversation: { id: string } } }>(
      'mutation($i:CreateConversationInput!){createConversation(input:$i){conversation{id}}}',
      { i: { kind: 'GROUP', subject, participantExternalIds: others.slice(0, 499) } },
      creator,
    )
    const id = createConversation.conversation.id
    for (let i = 499; i < others.length; i += 500)
      await this.gql(
        'mutation($i:AddParticipantsInput!){addParticipants(input:$i){conversation{id}}}',
        { i: { conversationId: id, participantExternalIds: others.slice(i, i + 500) } },
        creator,
      )
    return id
  }

  async lastSeq(id: string, token: string): Promise<number> {
    const { conversation } = await this.gql<{ conversation: { lastSeq: number } | null }>(
      'query($id:ID!){conversation(id:$id){lastSeq}}',
      { id },
      token,
    )
    if (!conversation) throw new BenchFailure(`conversation ${id} is not visible`)
    return conversation.lastSeq
  }
}

export const CONVERSATION_EVENTS =
  'subscription($c:ID!,$a:Int){conversationEvents(conversationId:$c,afterSeq:$a){seq conversationId ... on MessageAddedEvent{message{id body}}}}'
export const INBOX_EVENTS = 'subscription{inboxEvents{reason conversationId conversation{lastSeq}}}'
