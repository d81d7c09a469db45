// graphql-ws on the same /graphql path, through yoga.getEnveloped so WebSocket operations share the HTTP
// context factory, plugin chain (auth included) and validation. A socket whose connection_init carries
// no valid token is closed with 4401/4403 and never acknowledged; a socket is closed when its token expires.
import type { Server } from 'node:http'
import { WebSocketServer } from 'ws'
import { useServer } from 'graphql-ws/use/ws'
import type { ExecutionArgs } from 'graphql'
import type { AppServices } from '../context.js'
import type { Viewer } from '../auth/viewer.js'
import type { App } from '../app.js'

interface Options {
  server: Server
  yoga: App['yoga']
  services: AppServices
  resolveViewer(ctx: { connectionParams: Record<string, unknown> }): Promise<Viewer | null>
}

type EnvelopedRoot = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown }

export function attachWebSocketServer({ server, yoga, services, resolveViewer }: Options) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint })
  const expiryTimers = new Set<NodeJS.Timeout>()
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
          viewer = await resolveViewer({ connectionParams: ctx.connectionParams ?? {} })
        } catch {
          viewer = null
        }
        if (!viewer) {
          socket.close(4401, 'Unauthorized')
          return false
        }
        if (viewer.expiresAt !== undefined) {
          const timer = setTimeout(() => {
            expiryTimers.delete(timer)
            socket.close(4401, 'Token expired')
          }, Math.max(0, viewer.expiresAt - Date.now()))
          expiryTimers.add(timer)
          socket.once('close', () => {
            clearTimeout(timer)
            expiryTimers.delete(timer)
          })
        }
        return true
      },
      onSubscribe: async (ctx, _id, payload) => {
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
          const { GraphQLError } = await import('graphql')
          return [e instanceof GraphQLError ? e : new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })]
        }
      },
    },
    wss,
  )

  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of expiryTimers) clearTimeout(timer)
        for (const client of wss.clients) client.close(1001, 'Server shutting down')
        wss.close(() => resolve())
      }),
  }
}
