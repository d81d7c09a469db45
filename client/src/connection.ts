// The one graphql-ws connection of a client, and the live subscriptions on it.
//
// graphql-ws re-sends a subscription's original payload when it reconnects, which would resume a timeline
// from a stale afterSeq. So its own retries are off (retryAttempts: 0) and this class reconnects: when the
// socket closes, every live subscription is marked lost; after a backoff delay each one is started again
// with a payload computed at that moment (a timeline's current position). Every connection_init asks
// getToken for a token, with forceRefresh after a 4401 (expired or refused token). A browser's `online`
// event, or reconnectNow(), skips the wait. A browser's `offline` event drops the socket at once (close
// code 4499): an open WebSocket can outlive the network without noticing (Chromium keeps it open through
// its offline mode, holding its frames), and the app should show it is offline.
import { createClient, type Client } from 'graphql-ws'
import { backoffDelay, type RetryOptions } from './backoff.js'
import { SwitchboardError, type GraphQLErrorLike } from './errors.js'
import { Listeners } from './emitter.js'
import type { GetToken } from './http.js'

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed'

export interface ConnectionState {
  status: ConnectionStatus
  /** The close code of the last lost connection (e.g. 4401 token expired, 1006 network, 1001 server stopping, 4499 dropped on the browser's `offline` event). */
  lastCloseCode: number | null
  /** Failed attempts since the last successful connection. */
  retries: number
}

export interface SubscriptionRequest {
  query: string
  variables: Record<string, unknown>
}

export interface LiveHandlers<T> {
  /** The payload to (re)subscribe with, computed at each start. */
  request(): SubscriptionRequest
  next(data: T): void
  /** The server refused or ended the operation with GraphQL errors: it is not restarted. */
  error(error: SwitchboardError): void
  /**
   * The server completed the operation. It is started again after a backoff delay: a stream also completes
   * when its token expires (just before the socket closes with 4401), and a subscription the viewer may no
   * longer make answers with an error (NOT_FOUND), which ends it.
   */
  complete?(): void
}

export interface ConnectionOptions {
  wsUrl: string
  getToken: GetToken
  /** A WebSocket implementation for runtimes without a global one (Node < 22: the `ws` package). */
  WebSocket?: unknown
  retry?: RetryOptions
  /** graphql-ws ping interval; a missing pong closes the socket (default 10 s). */
  keepAliveMs?: number
}

interface Live {
  handlers: LiveHandlers<unknown>
  dispose: (() => void) | null
  /** Increments per start, so callbacks of an older start are ignored. */
  generation: number
  /** Completions in a row without data, for the restart backoff. */
  completions: number
  timer: ReturnType<typeof setTimeout> | null
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number'
}

export class Connection {
  private client: Client
  private lives = new Set<Live>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private tokenRefused = false
  private disposed = false
  private everConnected = false
  private removeOnline: (() => void) | null = null
  state: ConnectionState = { status: 'idle', lastCloseCode: null, retries: 0 }
  readonly changes = new Listeners<[ConnectionState]>()
  /** After every successful connection_ack; `resumed` is true after a lost connection came back. */
  readonly connected = new Listeners<[{ resumed: boolean }]>()

  constructor(private options: ConnectionOptions) {
    const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket
    if (!WebSocketImpl) throw new Error('No WebSocket implementation: pass createSwitchboardClient({ WebSocket }) (e.g. the `ws` package on Node)')
    this.client = createClient({
      url: options.wsUrl,
      webSocketImpl: WebSocketImpl,
      lazy: true,
      lazyCloseTimeout: 1000,
      retryAttempts: 0,
      keepAlive: options.keepAliveMs ?? 10_000,
      connectionParams: async () => {
        const token = await options.getToken({ forceRefresh: this.tokenRefused })
        return { authorization: `Bearer ${token}` }
      },
      on: {
        connecting: () => this.setState({ status: this.everConnected ? 'reconnecting' : 'connecting' }),
        connected: () => {
          const resumed = this.everConnected
          this.everConnected = true
          this.tokenRefused = false
          this.setState({ status: 'connected', retries: 0 })
          this.connected.emit({ resumed })
        },
        closed: (event) => {
          if (this.disposed) return
          if (isCloseEvent(event)) {
            if (event.code === 4401) this.tokenRefused = true
            this.setState({ lastCloseCode: event.code })
          }
          this.setState({ status: this.lives.size ? 'reconnecting' : 'idle' })
        },
      },
    })
    this.watchOnline()
  }

  /** Starts a live subscription, restarted after every reconnect until stop(). */
  live<T>(handlers: LiveHandlers<T>): { stop(): void } {
    const live: Live = { handlers: handlers as LiveHandlers<unknown>, dispose: null, generation: 0, completions: 0, timer: null }
    this.lives.add(live)
    if (!this.timer) this.start(live)
    return {
      stop: () => {
        this.lives.delete(live)
        live.generation++
        if (live.timer) clearTimeout(live.timer)
        live.dispose?.()
        live.dispose = null
      },
    }
  }

  /** Skips the current backoff wait and reconnects now (e.g. from React Native's NetInfo or AppState). */
  reconnectNow(): void {
    if (this.disposed || !this.timer) return
    clearTimeout(this.timer)
    this.timer = null
    this.restartLost()
  }

  dispose(): void {
    this.disposed = true
    if (this.timer) clearTimeout(this.timer)
    this.removeOnline?.()
    for (const live of this.lives) {
      live.generation++
      if (live.timer) clearTimeout(live.timer)
      live.dispose?.()
    }
    this.lives.clear()
    this.setState({ status: 'closed' })
    void this.client.dispose()
  }

  private start(live: Live): void {
    const generation = ++live.generation
    const current = () => live.generation === generation && this.lives.has(live)
    let request: SubscriptionRequest
    try {
      request = live.handlers.request()
    } catch (e) {
      this.lives.delete(live)
      live.handlers.error(e instanceof SwitchboardError ? e : new SwitchboardError(String((e as Error)?.message ?? e), 'BAD_USER_INPUT'))
      return
    }
    live.dispose = this.client.subscribe<unknown>(request, {
      next: (result) => {
        if (!current()) return
        if (result.errors?.length) {
          // A subscribe resolver that threw arrives as `next { errors }` then `complete`.
          this.refused(live, SwitchboardError.fromGraphQLErrors(result.errors as GraphQLErrorLike[]))
          return
        }
        if (result.data != null) {
          live.completions = 0
          live.handlers.next(result.data)
        }
      },
      error: (error) => {
        if (!current()) return
        live.dispose = null
        if (Array.isArray(error)) {
          this.refused(live, SwitchboardError.fromGraphQLErrors(error as GraphQLErrorLike[]))
          return
        }
        // The socket closed or could not open: restart after a backoff delay.
        this.scheduleRestart()
      },
      complete: () => {
        if (!current()) return
        live.handlers.complete?.()
        this.restartLater(live)
      },
    })
  }

  /**
   * The server answered the operation with errors: a retryable one (UNAVAILABLE, RATE_LIMITED — e.g. a
   * stream cap —, an expired token) is tried again later; any other (NOT_FOUND: not visible) ends it.
   */
  private refused(live: Live, error: SwitchboardError): void {
    if (error.retryable) return this.restartLater(live, error.retryAfter)
    this.lives.delete(live)
    live.dispose = null
    live.handlers.error(error)
  }

  /** Starts the operation again after a backoff delay (per subscription, growing while it keeps ending without data). */
  private restartLater(live: Live, retryAfterSeconds = 0): void {
    live.generation++ // the rest of this start's callbacks are ignored
    live.dispose = null
    if (live.timer) clearTimeout(live.timer)
    const delay = Math.max(retryAfterSeconds * 1000, backoffDelay(live.completions++, this.options.retry))
    live.timer = setTimeout(() => {
      live.timer = null
      // A reconnect under way starts it with the others.
      if (this.lives.has(live) && !live.dispose && !this.timer && !this.disposed) this.start(live)
    }, delay)
  }

  private scheduleRestart(): void {
    if (this.timer || this.disposed) return
    // Offline (navigator.onLine, where there is one): wait the longest delay; the `online` event cuts it short.
    const offline = (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false
    const delay = offline
      ? (this.options.retry?.maxDelayMs ?? 30_000)
      : this.state.lastCloseCode === 4401 && this.state.retries === 0
        ? 0
        : backoffDelay(this.state.retries, this.options.retry)
    this.setState({ status: 'reconnecting', retries: this.state.retries + 1 })
    this.timer = setTimeout(() => {
      this.timer = null
      this.restartLost()
    }, delay)
  }

  private restartLost(): void {
    for (const live of this.lives) {
      if (live.dispose) continue
      if (live.timer) clearTimeout(live.timer)
      live.timer = null
      this.start(live)
    }
  }

  private setState(patch: Partial<ConnectionState>): void {
    const next = { ...this.state, ...patch }
    if (next.status === this.state.status && next.lastCloseCode === this.state.lastCloseCode && next.retries === this.state.retries) return
    this.state = next
    this.changes.emit(next)
  }

  /**
   * Browsers (and anything else with window-style `online`/`offline` events): drop the socket when the
   * network goes (the subscriptions are then lost and restarted like after any close), reconnect as soon
   * as it is back.
   */
  private watchOnline(): void {
    const target = globalThis as { addEventListener?: (type: string, cb: () => void) => void; removeEventListener?: (type: string, cb: () => void) => void }
    if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return
    const onOnline = () => this.reconnectNow()
    const onOffline = () => {
      if (!this.disposed) this.client.terminate()
    }
    target.addEventListener('online', onOnline)
    target.addEventListener('offline', onOffline)
    this.removeOnline = () => {
      target.removeEventListener?.('online', onOnline)
      target.removeEventListener?.('offline', onOffline)
    }
  }
}
