// Pending sends: each gets a clientMessageId when it is queued and keeps it on every retry, so the server
// (idempotent on (conversation, sender, clientMessageId), forever) stores it once however often it is
// tried. The queue is persisted to a KeyValueStorage after every change and sent in order per
// conversation. A retryable failure (network, UNAVAILABLE, RATE_LIMITED) is retried with backoff and on
// every flush() (the client flushes on each (re)connection); any other error marks the send failed, which
// the UI shows with retry() and discard().
import { backoffDelay, type RetryOptions } from './backoff.js'
import { SwitchboardError } from './errors.js'
import { Listeners } from './emitter.js'
import type { KeyValueStorage } from './storage.js'

export interface OutboxEntry {
  clientMessageId: string
  conversationId: string
  body: string
  internal: boolean
  /** ISO time it was queued. */
  queuedAt: string
  attempts: number
  status: 'pending' | 'failed'
  /** The last error (failed: why it will not be retried by itself). */
  error: { code: string; message: string } | null
  /** Who queued it ("tenant/user" of the token's viewer): another user's entries in a shared storage are never sent. */
  owner: string | null
}

export interface SendResult<M> {
  message: M
}

export interface OutboxOptions<M> {
  storage: KeyValueStorage
  storageKey: string
  /** Sends one entry; resolves with the committed message. */
  send(entry: OutboxEntry): Promise<M>
  /** The current viewer's owner key, once known; entries of other owners are kept but not sent. */
  owner(): Promise<string | null>
  retry?: RetryOptions
  now?: () => Date
}

export class Outbox<M> {
  private entries: OutboxEntry[] = []
  private loaded: Promise<void>
  private flushing: Promise<void> | null = null
  private again = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private failures = 0
  private writes: Promise<void> = Promise.resolve()
  private closed = false
  /** The viewer's owner key: undefined until first known; null when the app does not tell owners apart. */
  private currentOwner: string | null | undefined = undefined
  /** Sends this instance queued itself (theirs even before the owner is known). */
  private mine = new Set<string>()
  /** After any change of the queue. */
  readonly changes = new Listeners()
  /** A send the server acknowledged, with the committed message (also for a retried, already stored one). */
  readonly acknowledged = new Listeners<[OutboxEntry, M]>()

  constructor(private options: OutboxOptions<M>) {
    this.loaded = this.load()
  }

  /** Resolves once the persisted queue is read (sends queued before that are kept too). */
  ready(): Promise<void> {
    return this.loaded
  }

  list(conversationId?: string): readonly OutboxEntry[] {
    // Another user's entries in a shared storage are neither shown nor sent.
    const own = this.entries.filter((e) => this.owns(e, this.currentOwner))
    return conversationId ? own.filter((e) => e.conversationId === conversationId) : own
  }

  private owns(entry: OutboxEntry, owner: string | null | undefined): boolean {
    if (entry.owner === null) return this.mine.has(entry.clientMessageId) || owner === null
    return owner === null || (owner !== undefined && entry.owner === owner)
  }

  enqueue(input: { conversationId: string; body: string; internal?: boolean; clientMessageId: string; owner: string | null }): OutboxEntry {
    const entry: OutboxEntry = {
      clientMessageId: input.clientMessageId,
      conversationId: input.conversationId,
      body: input.body,
      internal: input.internal ?? false,
      queuedAt: (this.options.now?.() ?? new Date()).toISOString(),
      attempts: 0,
      status: 'pending',
      error: null,
      owner: input.owner,
    }
    this.mine.add(entry.clientMessageId)
    this.entries = [...this.entries, entry]
    this.persist()
    this.changes.emit()
    void this.flush()
    return entry
  }

  /** Tries a failed send again (same clientMessageId). */
  retry(clientMessageId: string): void {
    this.update(clientMessageId, { status: 'pending', error: null })
    void this.flush()
  }

  /** Drops a queued send. It may still arrive if a request was already on its way; its clientMessageId then matches nothing. */
  discard(clientMessageId: string): void {
    this.entries = this.entries.filter((e) => e.clientMessageId !== clientMessageId)
    this.persist()
    this.changes.emit()
  }

  /** Sends everything pending, in order per conversation; resolves when the queue has been tried once. */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve()
    if (this.timer) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (this.flushing) {
      this.again = true
      return this.flushing
    }
    this.flushing = (async () => {
      try {
        do {
          this.again = false
          await this.loaded
          await this.sendAll()
        } while (this.again && !this.closed)
      } finally {
        this.flushing = null
      }
    })()
    return this.flushing
  }

  /** Resolves when nothing is pending (failed entries aside). */
  async settled(): Promise<void> {
    while (this.entries.some((e) => e.status === 'pending' && this.owns(e, this.currentOwner))) {
      await new Promise<void>((resolve) => {
        const off = this.changes.add(() => {
          off()
          resolve()
        })
      })
    }
  }

  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
  }

  private async sendAll(): Promise<void> {
    let owner: string | null
    try {
      owner = await this.options.owner()
    } catch {
      // Not knowing who is signed in, send nothing (it could be someone else's queue): try again later.
      if (!this.closed)
        this.timer = setTimeout(() => ((this.timer = null), void this.flush()), backoffDelay(this.failures++, this.options.retry))
      return
    }
    if (owner !== this.currentOwner) {
      this.currentOwner = owner
      this.changes.emit()
    }
    const blocked = new Set<string>()
    let transient = false
    let retryAfterMs = 0
    for (const entry of [...this.entries]) {
      if (this.closed) return
      if (entry.status !== 'pending' || blocked.has(entry.conversationId)) continue
      if (!this.owns(entry, owner)) continue
      // Queued here before the owner was known: it is this viewer's.
      if (entry.owner === null && owner !== null) this.update(entry.clientMessageId, { owner })
      if (!this.entries.some((e) => e.clientMessageId === entry.clientMessageId && e.status === 'pending')) continue
      this.update(entry.clientMessageId, { attempts: entry.attempts + 1 })
      try {
        const message = await this.options.send(entry)
        this.failures = 0
        this.entries = this.entries.filter((e) => e.clientMessageId !== entry.clientMessageId)
        this.persist()
        this.acknowledged.emit(entry, message)
        this.changes.emit()
      } catch (e) {
        const error = e instanceof SwitchboardError ? e : new SwitchboardError(String((e as Error)?.message ?? e), 'NETWORK', { cause: e })
        if (error.retryable) {
          // Later sends of this conversation wait, so they are stored in the order they were queued.
          blocked.add(entry.conversationId)
          transient = true
          retryAfterMs = Math.max(retryAfterMs, (error.retryAfter ?? 0) * 1000)
          this.update(entry.clientMessageId, { error: { code: error.code, message: error.message } })
          if (error.code === 'NETWORK') break
        } else {
          this.update(entry.clientMessageId, { status: 'failed', error: { code: error.code, message: error.message } })
        }
      }
    }
    if (transient && !this.closed) {
      const delay = Math.max(retryAfterMs, backoffDelay(this.failures++, this.options.retry))
      this.timer = setTimeout(() => {
        this.timer = null
        void this.flush()
      }, delay)
    }
  }

  private update(clientMessageId: string, patch: Partial<OutboxEntry>): void {
    let changed = false
    this.entries = this.entries.map((e) => {
      if (e.clientMessageId !== clientMessageId) return e
      changed = true
      return { ...e, ...patch }
    })
    if (!changed) return
    this.persist()
    this.changes.emit()
  }

  private async load(): Promise<void> {
    try {
      const raw = await this.options.storage.getItem(this.options.storageKey)
      const stored = raw ? (JSON.parse(raw) as OutboxEntry[]) : []
      const known = new Set(this.entries.map((e) => e.clientMessageId))
      const restored = stored.filter((e) => e && typeof e.clientMessageId === 'string' && !known.has(e.clientMessageId))
      if (restored.length) {
        this.entries = [...restored, ...this.entries]
        this.changes.emit()
      }
    } catch {
      // An unreadable store holds nothing we can send.
    }
  }

  private persist(): void {
    // Written after the stored queue was read (else an early send would overwrite it), and always the
    // queue as it is at write time, so the last write holds the last state.
    const { storage, storageKey } = this.options
    this.writes = this.writes
      .then(() => this.loaded)
      .then(() => (this.entries.length ? storage.setItem(storageKey, JSON.stringify(this.entries)) : storage.removeItem(storageKey)))
      .catch(() => {})
  }

  /** Resolves when every change so far is written to storage. */
  persisted(): Promise<void> {
    return this.writes
  }
}
