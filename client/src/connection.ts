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
//
// Dead connections: graphql-ws pings every keepAliveMs but never gives up on a missing pong, and a WebSocket
// that is still opening has no timeout at all; a connection that died without a FIN (a phone switching
// networks, a NAT mapping dropped) would then never be noticed. So a ping without a pong within
// pongTimeoutMs, or a socket not acknowledged within connectTimeoutMs, is terminated (lastCloseCode 4408)
// and the subscriptions are restarted like after any lost connection.
//
// Token expiry: when the token given to connection_init is a JWT with `exp`, getToken({ forceRefresh: true })
// is asked shortly before it expires (30 s, or 10% of its lifetime when shorter) and the socket is replaced
// by one opened with the new token at once, the subscriptions resuming from their positions, instead of
// waiting for the server to close it with 4401 at expiry.
import { createClient, type Client } from 'graphql-ws'
import { backoffDelay, type RetryOptions } from './backoff.js'
import { SwitchboardError, type GraphQLErrorLike } from './errors.js'
import { Listeners } from './emitter.js'
import type { GetToken } from './http.js'
import { refreshAt, tokenTimes } from './token.js'

/** The close code reported (lastCloseCode) when the client itself gave up on a silent connection. */
export const CLOSE_TIMED_OUT = 4408

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed'

export interface ConnectionState {
  status: ConnectionStatus
  /**
   * The close code of the last lost connection (e.g. 4401 token expired, 1006 network, 1001 server stopping,
   * 4499 dropped on the browser's `offline` event, 4408 no pong or no connection_ack in time). A socket
   * replaced before its token expired is not a lost connection and leaves it unchanged.
   */
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
  /** graphql-ws ping interval (default 10 s). */
  keepAliveMs?: number
  /** A ping not answered within this time terminates the socket, which then reconnects (default keepAliveMs). */
  pongTimeoutMs?: number
  /** A socket not open and acknowledged within this time (getToken's own time not counted) is terminated (default 15 s). */
  connectTimeoutMs?: number
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
  /** The WebSocket of the current attempt (from its constructor on), to tell its callbacks from an older one's. */
  private socket: unknown = null
  /** Pong, connect and token-refresh deadlines of the current socket. */
  private pongTimer: ReturnType<typeof setTimeout> | null = null
  private connectTimer: ReturnType<typeof setTimeout> | null = null
  private refreshTimer: ReturnType<typeof setTimeout> | null = null
  /** The code to report for a socket this class terminated (terminate() itself reports 4499). */
  private terminatedWith: number | null = null
  /** A token fetched ahead of expiry, for the next connection_init. */
  private nextToken: string | null = null
  /** The socket was replaced on purpose (token refresh): reconnect at once, not a lost connection. */
  private replacing = false
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
    if (!WebSocketImpl)
      throw new Error('No WebSocket implementation: pass createSwitchboardClient({ WebSocket }) (e.g. the `ws` package on Node)')
    const keepAlive = options.keepAliveMs ?? 10_000
    const pongTimeout = options.pongTimeoutMs ?? keepAlive
    const connectTimeout = options.connectTimeoutMs ?? 15_000
    this.client = createClient({
      url: options.wsUrl,
      webSocketImpl: this.trackSockets(WebSocketImpl as new (...args: unknown[]) => object),
      lazy: true,
      lazyCloseTimeout: 1000,
      retryAttempts: 0,
      keepAlive,
      connectionParams: async () => {
        const socket = this.socket
        this.clearTimer('connectTimer') // getToken may take its time (a request to the app's backend)
        let token = this.tokenRefused ? null : this.nextToken
        this.nextToken = null
        token ??= await options.getToken({ forceRefresh: this.tokenRefused })
        // A token already due for refresh (e.g. a cached one about to expire) is replaced before it is used.
        let times = tokenTimes(token)
        if (times && !this.tokenRefused && Date.now() >= refreshAt(times, Date.now())) {
          try {
            token = await options.getToken({ forceRefresh: true })
            times = tokenTimes(token)
          } catch {
            // Not fatal: the token in hand is still tried (the server answers 4401 if it has expired).
          }
        }
        if (socket === this.socket && !this.disposed) {
          this.startTimer('connectTimer', connectTimeout, () => this.terminate(CLOSE_TIMED_OUT))
          this.scheduleTokenRefresh(times)
        }
        return { authorization: `Bearer ${token}` }
      },
      on: {
        connecting: () => {
          this.terminatedWith = null
          this.setState({ status: this.everConnected ? 'reconnecting' : 'connecting' })
          this.startTimer('connectTimer', connectTimeout, () => this.terminate(CLOSE_TIMED_OUT))
        },
        opened: () => this.clearTimer('connectTimer'),
        connected: () => {
          this.clearTimer('connectTimer')
          this.replacing = false
          const resumed = this.everConnected
          this.everConnected = true
          this.tokenRefused = false
          this.setState({ status: 'connected', retries: 0 })
          this.connected.emit({ resumed })
        },
        ping: (received) => {
          // graphql-ws sends the next ping keepAliveMs after the last pong: one outstanding ping at a time.
          if (!received) this.startTimer('pongTimer', pongTimeout, () => this.terminate(CLOSE_TIMED_OUT))
        },
        pong: (received) => {
          if (received) this.clearTimer('pongTimer')
        },
        closed: (event) => {
          this.clearTimer('connectTimer')
          this.clearTimer('pongTimer')
          this.clearTimer('refreshTimer')
          const terminatedWith = this.terminatedWith
          this.terminatedWith = null
          if (this.disposed) return
          if (this.replacing) {
            this.setState({ status: this.lives.size ? 'reconnecting' : 'idle' })
            return
          }
          if (isCloseEvent(event)) {
            const code = terminatedWith ?? event.code
            if (code === 4401) this.tokenRefused = true
            this.setState({ lastCloseCode: code })
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
    this.clearTimer('connectTimer')
    this.clearTimer('pongTimer')
    this.clearTimer('refreshTimer')
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
    if (this.replacing) {
      // The socket was replaced on purpose (token refresh): the new one opens at once.
      this.replacing = false
      this.timer = setTimeout(() => {
        this.timer = null
        this.restartLost()
      }, 0)
      return
    }
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

  /** Drops the current socket at once (no close handshake: it may be dead) and reports `code` for it. */
  private terminate(code: number | null): void {
    if (this.disposed) return
    this.terminatedWith = code
    this.client.terminate()
  }

  /**
   * Asks for a new token shortly before the current one expires, then replaces the socket with one opened
   * with it. A token already due (its refresh time passed even after a forced refresh, e.g. a skewed clock)
   * gets no timer: the server's 4401 at expiry remains the fallback, so this never loops.
   */
  private scheduleTokenRefresh(times: ReturnType<typeof tokenTimes>): void {
    this.clearTimer('refreshTimer')
    if (!times) return
    const delay = refreshAt(times, Date.now()) - Date.now()
    if (delay <= 0) return
    const socket = this.socket
    // setTimeout's limit (~24.8 days): a longer-lived token is looked at again then.
    this.startTimer('refreshTimer', Math.min(delay, 2 ** 31 - 1), () => {
      if (delay > 2 ** 31 - 1) return this.scheduleTokenRefresh(times)
      void this.refreshToken(socket, times.expiresAt)
    })
  }

  private async refreshToken(socket: unknown, expiresAt: number): Promise<void> {
    let token: string
    try {
      token = await this.options.getToken({ forceRefresh: true })
    } catch {
      return // the server's 4401 at expiry asks again
    }
    if (socket !== this.socket || this.disposed) return
    const times = tokenTimes(token)
    if (times && times.expiresAt <= expiresAt) return // no newer token to be had: nothing to gain
    this.nextToken = token
    if (!this.lives.size) return // no socket to replace; the next connection_init takes it
    this.replacing = true
    this.terminate(null)
  }

  private startTimer(name: 'pongTimer' | 'connectTimer' | 'refreshTimer', ms: number, fire: () => void): void {
    this.clearTimer(name)
    if (!Number.isFinite(ms) || ms <= 0) return
    this[name] = setTimeout(() => {
      this[name] = null
      fire()
    }, ms)
  }

  private clearTimer(name: 'pongTimer' | 'connectTimer' | 'refreshTimer'): void {
    const timer = this[name]
    if (timer) clearTimeout(timer)
    this[name] = null
  }

  /**
   * The WebSocket implementation graphql-ws is given: the same class, remembering the socket of the current
   * attempt. With `ws` (Node), a socket terminated while still opening emits 'error' after graphql-ws has
   * removed its handler, which would be an uncaught exception: such sockets get a listener that ignores it.
   */
  private trackSockets(Impl: new (...args: unknown[]) => object): unknown {
    const remember = (socket: object) => {
      this.socket = socket
    }
    return class TrackedWebSocket extends Impl {
      constructor(...args: unknown[]) {
        super(...args)
        remember(this)
        const on = (this as { on?: unknown }).on
        if (typeof on === 'function') on.call(this, 'error', () => {})
      }
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
    const target = globalThis as {
      addEventListener?: (type: string, cb: () => void) => void
      removeEventListener?: (type: string, cb: () => void) => void
    }
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
