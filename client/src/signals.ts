// A conversation's ephemeral signals (conversationSignals): who is typing, which staff have it open, and
// read/delivery receipts. Nothing here is replayed by the server; an entry disappears at its expiresAt.
import { Store } from './emitter.js'
import type { Connection } from './connection.js'
import type { Execute } from './http.js'
import {
  SdkConversationSignalsDocument,
  SdkSetTypingDocument,
  type SdkConversationSignalsSubscription,
  type SdkUserFragment,
} from './generated/graphql.js'

export type ConversationSignal = SdkConversationSignalsSubscription['conversationSignals']

export interface Presence {
  user: SdkUserFragment
  /** Local clock (ms) at which it ends. */
  until: number
  internal: boolean
}

export interface SignalsSnapshot {
  /** Others typing now (the viewer excluded). */
  typing: readonly Presence[]
  /** Staff with the conversation open (setViewing), the viewer excluded. */
  viewing: readonly Presence[]
  /** Latest read/delivered positions heard, by user id. */
  receipts: Readonly<Record<string, { user: SdkUserFragment; lastReadSeq: number; lastDeliveredSeq: number }>>
}

const DEFAULT_TTL_MS = 5000

/** A server expiresAt as a local deadline; an implausible one (clock skew) falls back to the default TTL. */
function localDeadline(expiresAt: string, now: number): number {
  const remaining = Date.parse(expiresAt) - now
  return now + (Number.isFinite(remaining) && remaining > 0 && remaining <= 60_000 ? remaining : DEFAULT_TTL_MS)
}

export class Signals extends Store<SignalsSnapshot> {
  private typing = new Map<string, Presence>()
  private viewing = new Map<string, Presence>()
  private receipts: SignalsSnapshot['receipts'] = {}
  private live: { stop(): void } | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private lastTypingSent = 0
  private typingTtl = DEFAULT_TTL_MS

  constructor(
    readonly conversationId: string,
    private execute: Execute,
    private connection: Connection,
    private viewerId: () => string | null,
  ) {
    super()
  }

  protected compute(): SignalsSnapshot {
    const now = Date.now()
    const alive = (m: Map<string, Presence>) => [...m.values()].filter((p) => p.until > now)
    return { typing: alive(this.typing), viewing: alive(this.viewing), receipts: this.receipts }
  }

  protected override onListenersChanged(count: number): void {
    if (count > 0 && !this.live) {
      this.live = this.connection.live<SdkConversationSignalsSubscription>({
        request: () => ({ query: SdkConversationSignalsDocument.toString(), variables: { conversationId: this.conversationId } }),
        next: (data) => this.apply(data.conversationSignals),
        error: () => (this.live = null),
      })
    } else if (count === 0) {
      this.live?.stop()
      this.live = null
      if (this.timer) clearTimeout(this.timer)
      this.timer = null
    }
  }

  apply(signal: ConversationSignal, now = Date.now()): void {
    if (signal.__typename === 'ReceiptSignal') {
      this.receipts = {
        ...this.receipts,
        [signal.user.id]: { user: signal.user, lastReadSeq: signal.lastReadSeq, lastDeliveredSeq: signal.lastDeliveredSeq },
      }
    } else if (signal.user.id !== this.viewerId()) {
      const presence = {
        user: signal.user,
        until: localDeadline(signal.expiresAt, now),
        internal: signal.__typename === 'TypingSignal' ? signal.internal : false,
      }
      ;(signal.__typename === 'TypingSignal' ? this.typing : this.viewing).set(signal.user.id, presence)
      this.scheduleExpiry()
    }
    this.changed()
  }

  /**
   * Tells the others the viewer is typing. Call it on every keystroke: it sends at most one setTyping per
   * half TTL, which keeps the indicator on without flooding.
   */
  async notifyTyping(options: { internal?: boolean } = {}): Promise<void> {
    const now = Date.now()
    if (now - this.lastTypingSent < this.typingTtl / 2) return
    this.lastTypingSent = now
    const { setTyping } = await this.execute(SdkSetTypingDocument, {
      input: { conversationId: this.conversationId, internal: options.internal ?? null },
    })
    const ttl = Date.parse(setTyping.expiresAt) - now
    if (Number.isFinite(ttl) && ttl > 500 && ttl <= 60_000) this.typingTtl = ttl
  }

  private scheduleExpiry(): void {
    if (this.timer) clearTimeout(this.timer)
    const next = Math.min(...[...this.typing.values(), ...this.viewing.values()].map((p) => p.until))
    if (!Number.isFinite(next)) return
    this.timer = setTimeout(
      () => {
        this.timer = null
        const now = Date.now()
        for (const m of [this.typing, this.viewing]) for (const [id, p] of m) if (p.until <= now) m.delete(id)
        this.changed()
        this.scheduleExpiry()
      },
      Math.max(0, next - Date.now()) + 5,
    )
  }
}
