// Who takes part in each conversation, as this node knows it: the in-memory side of the visibility rule
// (src/auth/visibility.ts seesConversation) for live delivery and inbox routing. Loaded from the
// database on first use (one statement), kept current by the `membership` topic that services publish
// after every participant or group change, and re-read after a while when nothing pins it, so a lost
// pub/sub message costs a short delay, never a lasting leak.
import type { MembershipSnapshot } from '../auth/visibility.js'
import type { PrismaClient } from '../db/client.js'
import { loadMembership } from '../db/statements.js'
import type { Broker } from '../realtime/pubsub.js'

/** How long an entry that no live stream pins is trusted before it is read again. */
const UNPINNED_TTL_MS = 10_000
const MAX_ENTRIES = 20_000

interface Entry {
  tenantId: string
  snapshot: Promise<MembershipSnapshot | null>
  loadedAt: number
  pins: number
  /** Set once loaded, for synchronous checks on the hot path. */
  value?: MembershipSnapshot | null
}

export class MembershipCache {
  private readonly entries = new Map<string, Entry>()
  /** Bumped by every invalidation of a conversation: a load that started before it is not stored. */
  private readonly epochs = new Map<string, number>()
  private readonly changeListeners = new Map<string, Set<() => void>>()
  private readonly unsubscribe: () => void

  constructor(
    private readonly prisma: PrismaClient,
    broker: Broker,
  ) {
    this.unsubscribe = broker.subscribe('membership', 'all', (change) => {
      if (change.conversationId) this.invalidate(change.conversationId)
      if (change.groupId) this.invalidateGroup(change.groupId)
    })
  }

  /** The conversation's membership; null when it does not exist in the tenant. */
  get(tenantId: string, conversationId: string): Promise<MembershipSnapshot | null> {
    const entry = this.entries.get(conversationId)
    if (entry && entry.tenantId === tenantId && (entry.pins > 0 || Date.now() - entry.loadedAt < UNPINNED_TTL_MS)) return entry.snapshot
    return this.load(tenantId, conversationId, entry?.pins ?? 0)
  }

  /** The loaded membership without waiting, when there is one (undefined: call get()). */
  peek(tenantId: string, conversationId: string): MembershipSnapshot | null | undefined {
    const entry = this.entries.get(conversationId)
    return entry && entry.tenantId === tenantId && entry.pins > 0 ? entry.value : undefined
  }

  private load(tenantId: string, conversationId: string, pins: number): Promise<MembershipSnapshot | null> {
    const epoch = this.epochs.get(conversationId) ?? 0
    const entry: Entry = { tenantId, snapshot: Promise.resolve(null), loadedAt: Date.now(), pins }
    entry.snapshot = loadMembership(this.prisma, tenantId, conversationId).then(
      (snapshot) => {
        // Changed while loading: the next reader loads again.
        if ((this.epochs.get(conversationId) ?? 0) !== epoch) {
          if (this.entries.get(conversationId) === entry) entry.loadedAt = 0
        } else entry.value = snapshot
        return snapshot
      },
      (e: unknown) => {
        if (this.entries.get(conversationId) === entry) this.entries.delete(conversationId)
        throw e
      },
    )
    if (this.entries.size >= MAX_ENTRIES) this.evictUnpinned()
    this.entries.set(conversationId, entry)
    return entry.snapshot
  }

  /** A live stream depends on this conversation: keep its entry while pinned (kept current by the topic). */
  pin(conversationId: string) {
    const entry = this.entries.get(conversationId)
    if (entry) entry.pins++
    return () => {
      const current = this.entries.get(conversationId)
      if (current && current.pins > 0) current.pins--
    }
  }

  /** Runs `listener` whenever the conversation's membership may have changed (live streams re-check). */
  onChange(conversationId: string, listener: () => void): () => void {
    let set = this.changeListeners.get(conversationId)
    if (!set) this.changeListeners.set(conversationId, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
      if (!set.size) this.changeListeners.delete(conversationId)
    }
  }

  invalidate(conversationId: string) {
    this.epochs.set(conversationId, (this.epochs.get(conversationId) ?? 0) + 1)
    const entry = this.entries.get(conversationId)
    if (entry) {
      entry.loadedAt = 0
      entry.value = undefined
      if (entry.pins > 0) void this.load(entry.tenantId, conversationId, entry.pins).catch(() => {})
      else this.entries.delete(conversationId)
    }
    if (this.epochs.size > MAX_ENTRIES) this.epochs.clear()
    for (const listener of [...(this.changeListeners.get(conversationId) ?? [])]) listener()
  }

  invalidateGroup(groupId: string) {
    for (const [conversationId, entry] of [...this.entries])
      if (entry.value === undefined || entry.value === null || entry.value.groups.has(groupId)) this.invalidate(conversationId)
  }

  private evictUnpinned() {
    for (const [id, entry] of this.entries) if (entry.pins === 0) this.entries.delete(id)
  }

  close() {
    this.unsubscribe()
    this.entries.clear()
    this.changeListeners.clear()
  }
}
