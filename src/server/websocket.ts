// graphql-ws on the same /graphql path. graphql-ws (makeServer) speaks the protocol; this file binds it
// to `ws` sockets (what graphql-ws/use/ws does, plus three things that one does not):
//  - shared results are written as the text serialized once for all their subscribers
//    (src/realtime/fanout.ts), spliced into each subscriber's `next` frame;
//  - writes are coalesced per socket (corked for the rest of the tick: one syscall for a burst);
//  - backpressure: a socket whose send buffer stays over WS_MAX_BUFFERED_BYTES for WS_SLOW_CONSUMER_MS
//    is closed with 1013 ("try again later"); the client resumes with afterSeq, and server memory
//    never grows with a slow client.
// Operations run through yoga.getEnveloped, so WebSocket shares HTTP's context factory, plugin chain
// (auth included) and validation. A socket whose connection_init carries no valid token is closed with
// 4401 and never acknowledged; a socket is closed (4401) when its token expires.
import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws'
import { GraphQLError, type ExecutionArgs } from 'graphql'
import type { AppServices } from '../context.js'
import type { Viewer } from '../auth/viewer.js'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import { deliveryOf, serializeResult } from '../realtime/fanout.js'
import { countDelivery } from './metrics.js'
import { isAsyncIterable } from './plugins.js'
import { StreamCounter, tooManyStreams } from '../limits/streams.js'
import { verifyOrigin } from './surface.js'

interface Options {
  server: Server
  yoga: App['yoga']
  services: AppServices
  resolveViewer(ctx: { connectionParams: Record<string, unknown>; req: IncomingMessage }): Promise<Viewer | null>
}

const MAX_TIMER_MS = 2 ** 31 - 1
const KEEPALIVE_MS = 12_000
/** Close code for a consumer too slow to keep up (RFC 6455 1013: try again later). */
export const SLOW_CONSUMER_CLOSE_CODE = 1013

type EnvelopedRoot = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown }

// The replacer marks where a `next` payload goes; send() splices in its once-serialized text.
const PAYLOAD_MARK = '__switchboard_payload__'
const MARKED_TAIL = `"payload":"${PAYLOAD_MARK}"}`
let markedPayload: string | undefined
/** The result whose text markedPayload is: what send() counts once it is written. */
let markedResult: object | undefined

function replacer(this: unknown, key: string, value: unknown) {
  if (key === 'payload' && typeof value === 'object' && value !== null && (this as { type?: string }).type === 'next') {
    markedPayload = serializeResult(value)
    markedResult = value
    return PAYLOAD_MARK
  }
  return value
}

export function attachWebSocketServer({ server, yoga, services, resolveViewer }: Options) {
  const { config, log, metrics } = services
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: config.maxRequestBytes,
    handleProtocols,
    verifyClient: verifyOrigin(config.allowedOrigins),
  })
  const expiryTimers = new Set<NodeJS.Timeout>()
  const caps = config.streamCaps
  const socketsPerUser = new StreamCounter(caps.socketsPerUser)

  const graphqlWs = makeServer<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage }>({
    // The enveloped execute/subscribe and graphql-ws disagree only on the promise type of their results.
    /* eslint-disable @typescript-eslint/no-explicit-any */
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as any,
    subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as any,
    jsonMessageReplacer: replacer,
    // Keep the shared result object (graphql-ws would copy it) so its serialization is reused.
    onNext: (_ctx, _id, _payload, _args, result) => result as any,
    // A subscription whose socket closed while it was being set up: graphql-ws would still iterate it
    // (its close handler only returns the streams it already holds). End it now.
    onOperation: (ctx, _id, _payload, _args, result) => {
      if (ctx.extra.socket.readyState === ctx.extra.socket.OPEN || !isAsyncIterable(result)) return undefined
      void (result as AsyncGenerator).return?.(undefined)
      return (async function* () {})() as any
    },
    /* eslint-enable @typescript-eslint/no-explicit-any */
    onConnect: async (ctx) => {
      const socket = ctx.extra.socket
      let viewer: Viewer | null
      try {
        viewer = await resolveViewer({ connectionParams: ctx.connectionParams ?? {}, req: ctx.extra.request })
      } catch (e) {
        if (!(e instanceof AppError)) {
          // Not the client's fault (e.g. the database is down): not a 4401 they would read as a bad token.
          log.error({ err: String(e) }, 'websocket authentication failed')
          socket.close(1011, 'Internal error')
          return false
        }
        viewer = null
      }
      if (!viewer) {
        socket.close(4401, 'Unauthorized')
        return false
      }
      const release = socketsPerUser.acquire(`${viewer.tenantId}:${viewer.userId}`)
      if (!release) {
        socket.close(4429, `Too many sockets for this user (at most ${caps.socketsPerUser})`)
        return false
      }
      socket.once('close', release)
      if (viewer.expiresAt !== undefined) {
        const expiresAt = viewer.expiresAt
        // setTimeout fires at once beyond ~24.8 days: arm in steps until the token really expires.
        const arm = () => {
          const timer = setTimeout(
            () => {
              expiryTimers.delete(timer)
              if (Date.now() < expiresAt) return arm()
              socket.close(4401, 'Token expired')
            },
            Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS),
          )
          expiryTimers.add(timer)
          socket.once('close', () => {
            clearTimeout(timer)
            expiryTimers.delete(timer)
          })
        }
        arm()
      }
      return true
    },
    onSubscribe: async (ctx, _id, payload) => {
      // ctx.subscriptions holds this socket's running operations, this one included.
      if (Object.keys(ctx.subscriptions).length > caps.subscriptionsPerSocket)
        return [tooManyStreams('operations on this socket', caps.subscriptionsPerSocket)]
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params: payload,
        connectionParams: ctx.connectionParams ?? {},
        request: undefined,
      })
      try {
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document: parse(payload.query),
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        }
        const errors = validate(args.schema, args.document)
        return errors.length ? errors : args
      } catch (e) {
        // A throw here would close the whole socket (4500): answer this operation with the error instead.
        return [e instanceof GraphQLError ? e : new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })]
      }
    },
  })

  // The HTTP server's own errors (a busy port) reach here too: the process entry reports those.
  wss.on('error', (err) =>
    (err as { code?: string }).code === 'EADDRINUSE' ? undefined : log.error({ err: String(err) }, 'websocket server error'),
  )
  wss.on('connection', (socket, request) => {
    metrics.websocketConnections.inc()
    const raw = (socket as unknown as { _socket: Socket })._socket
    let corked = false
    let slowSince: number | undefined
    socket.on('error', (err) => {
      log.info({ err: err.message }, 'websocket error')
      socket.close(CloseCode.InternalServerError, 'Internal server error')
    })
    const keepalive = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return
      const pongWait = setTimeout(() => socket.terminate(), KEEPALIVE_MS)
      socket.once('pong', () => clearTimeout(pongWait))
      socket.ping()
    }, KEEPALIVE_MS)
    const send = (data: string): Promise<void> => {
      const payload = markedPayload !== undefined && data.endsWith(MARKED_TAIL) ? markedPayload : undefined
      const result = payload === undefined ? undefined : markedResult
      markedPayload = undefined
      markedResult = undefined
      if (socket.readyState !== socket.OPEN) return Promise.resolve()
      if (payload !== undefined) data = `${data.slice(0, -MARKED_TAIL.length)}"payload":${payload}}`
      // Coalesce: everything written in this tick leaves in one write.
      if (!corked && raw) {
        corked = true
        raw.cork()
        process.nextTick(() => {
          corked = false
          raw.uncork()
        })
      }
      socket.send(data)
      const delivery = result && deliveryOf(result)
      if (delivery) countDelivery(metrics, delivery, 'websocket')
      if (socket.bufferedAmount <= config.wsMaxBufferedBytes) {
        slowSince = undefined
        return Promise.resolve()
      }
      slowSince ??= Date.now()
      // Over the limit: hold this stream until the socket drains, or close a consumer that stays slow.
      return new Promise<void>((resolve) => {
        const check = () => {
          if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= config.wsMaxBufferedBytes) {
            clearInterval(timer)
            slowSince = undefined
            return resolve()
          }
          if (Date.now() - slowSince! > config.wsSlowConsumerMs) {
            clearInterval(timer)
            metrics.slowConsumersClosed.inc()
            log.info({ bufferedAmount: socket.bufferedAmount }, 'closing a slow websocket consumer')
            socket.close(SLOW_CONSUMER_CLOSE_CODE, 'Slow consumer: resubscribe with afterSeq')
            resolve()
          }
        }
        const timer = setInterval(check, 50)
      })
    }
    const closed = graphqlWs.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (event) => {
            try {
              await cb(String(event))
            } catch (err) {
              log.error({ err: String(err) }, 'websocket message handling failed')
              socket.close(CloseCode.InternalServerError, 'Internal server error')
            }
          }),
      },
      { socket, request },
    )
    socket.once('close', (code, reason) => {
      clearInterval(keepalive)
      metrics.websocketConnections.dec()
      void closed(code, String(reason))
    })
  })

  return {
    /** Closes every socket (1001), terminating those that do not finish the close handshake in time. */
    close: (timeoutMs: number) =>
      new Promise<void>((resolve) => {
        for (const timer of expiryTimers) clearTimeout(timer)
        for (const client of wss.clients) client.close(1001, 'Server shutting down')
        const force = setTimeout(() => wss.clients.forEach((client) => client.terminate()), timeoutMs)
        wss.close(() => {
          clearTimeout(force)
          resolve()
        })
      }),
  }
}
