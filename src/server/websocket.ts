// graphql-ws on the same /graphql path, through yoga.getEnveloped so WebSocket operations share the HTTP
// context factory, plugin chain (auth included) and validation. A socket whose connection_init carries
// no valid token is closed with 4401/4403 and never acknowledged; a socket is closed when its token expires.
import type { IncomingMessage, Server } from 'node:http'
import { WebSocketServer } from 'ws'
import { useServer } from 'graphql-ws/use/ws'
import { GraphQLError, type ExecutionArgs } from 'graphql'
import type { AppServices } from '../context.js'
import type { Viewer } from '../auth/viewer.js'
import type { App } from '../app.js'
import { AppError } from '../errors.js'
import { StreamCounter, tooManyStreams } from '../limits/streams.js'
import { verifyOrigin } from './surface.js'

interface Options {
  server: Server
  yoga: App['yoga']
  services: AppServices
  resolveViewer(ctx: { connectionParams: Record<string, unknown>; req: IncomingMessage }): Promise<Viewer | null>
}

const MAX_TIMER_MS = 2 ** 31 - 1

type EnvelopedRoot = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown }

export function attachWebSocketServer({ server, yoga, services, resolveViewer }: Options) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: services.config.maxRequestBytes, verifyClient: verifyOrigin(services.config.allowedOrigins) })
  const expiryTimers = new Set<NodeJS.Timeout>()
  const caps = services.config.streamCaps
  const socketsPerUser = new StreamCounter(caps.socketsPerUser)
  wss.on('connection', (socket) => {
    services.metrics.websocketConnections.inc()
    socket.once('close', () => services.metrics.websocketConnections.dec())
  })

  useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as any,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as any,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket
        let viewer: Viewer | null
        try {
          viewer = await resolveViewer({ connectionParams: ctx.connectionParams ?? {}, req: ctx.extra.request })
        } catch (e) {
          if (!(e instanceof AppError)) {
            // Not the client's fault (e.g. the database is down): not a 4401 they would read as a bad token.
            services.log.error({ err: String(e) }, 'websocket authentication failed')
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
            const timer = setTimeout(() => {
              expiryTimers.delete(timer)
              if (Date.now() < expiresAt) return arm()
              socket.close(4401, 'Token expired')
            }, Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS))
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
        if (Object.keys(ctx.subscriptions).length > caps.subscriptionsPerSocket) return [tooManyStreams('operations on this socket', caps.subscriptionsPerSocket)]
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
    },
    wss,
  )

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
