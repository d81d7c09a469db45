// Where the limits meet the request path: operations per user (every operation, any transport), sends
// per user and tenant (called by sendMessage before its service), HTTP-held subscription streams (SSE)
// per user.
import type { Plugin } from 'graphql-yoga'
import { getOperationAST, type ExecutionArgs, type GraphQLError } from 'graphql'
import type { Context } from '../context.js'
import { isAsyncIterable } from '../server/plugins.js'
import type { RateLimits } from './rate-limits.js'
import { releasingOnEnd, tooManyStreams, type StreamCounter } from './streams.js'

const userKey = (viewer: { tenantId: string; userId: string }) => `${viewer.tenantId}:${viewer.userId}`

/** Counts one send against the viewer's and the tenant's send limits; RATE_LIMITED over either. */
export async function limitSend(ctx: Context): Promise<void> {
  const viewer = ctx.viewer
  if (!viewer) return
  await ctx.app.limits.consume('sendsPerUser', userKey(viewer))
  await ctx.app.limits.consume('sendsPerTenant', viewer.tenantId)
}

/** Every operation of a viewer counts against RATE_LIMIT_OPERATIONS_PER_USER (placed after generic-auth). */
export function useOperationRateLimit(limits: RateLimits): Plugin<Context> {
  const limit = async (ctx: Context, stop: (result: { errors: GraphQLError[] }) => void) => {
    if (!ctx.viewer) return
    try {
      await limits.consume('operationsPerUser', userKey(ctx.viewer))
    } catch (e) {
      stop({ errors: [e as GraphQLError] })
    }
  }
  return {
    onExecute: ({ args, setResultAndStopExecution }) =>
      limit(args.contextValue as Context, (result) => {
        // Sends refused here never reach their resolver: count them as the resolver counts its refusals.
        const sends = rootFieldCount(args, 'sendMessage')
        if (sends) (args.contextValue as Context).app.metrics.sendRejected.inc({ code: 'RATE_LIMITED' }, sends)
        setResultAndStopExecution(result)
      }),
    onSubscribe: ({ args, setResultAndStopExecution }) => limit(args.contextValue as Context, setResultAndStopExecution as never),
  }
}

function rootFieldCount(args: ExecutionArgs, field: string): number {
  const operation = getOperationAST(args.document, args.operationName)
  return operation?.selectionSet.selections.filter((s) => s.kind === 'Field' && s.name.value === field).length ?? 0
}

/** At most `cap` subscription streams held open over HTTP (SSE) per user on this node. */
export function useHttpStreamCap(streams: StreamCounter, cap: number): Plugin<Context> {
  return {
    onExecutionResult({ result, setResult, context }) {
      const ctx = context as unknown as Context
      if (!ctx.request || !ctx.viewer || !isAsyncIterable(result)) return
      const release = streams.acquire(userKey(ctx.viewer))
      if (!release) {
        ;(result as AsyncIterable<unknown> & { return?: () => unknown })[Symbol.asyncIterator]().return?.()
        setResult({ errors: [tooManyStreams('open event streams for this user', cap)] })
        return
      }
      setResult(releasingOnEnd(result, release) as never)
    },
  }
}
