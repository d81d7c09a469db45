// Small Yoga plugins of our own: request limits and the per-operation log line.
import type { Plugin } from 'graphql-yoga'
import { getOperationAST, type GraphQLError } from 'graphql'
import type { Context } from '../context.js'

/** A request body over MAX_REQUEST_BYTES is refused with 413 before it is read. */
export function useRequestLimits(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const length = Number(request.headers.get('content-length') ?? 0)
      if (length > maxBytes)
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: `Request body over ${maxBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }), {
            status: 413,
            headers: { 'content-type': 'application/json' },
          }),
        )
    },
  }
}

/**
 * One structured log line per operation: request id, tenant, user, operation name and type, duration,
 * error codes. Never variables (they carry message bodies) and never headers (they carry tokens).
 */
export function useOperationLog(): Plugin<Context> {
  const logDone = (ctx: Context, args: { document: any; operationName?: string | null }, startedAt: number, errors: readonly GraphQLError[] | undefined) => {
    const operation = getOperationAST(args.document, args.operationName)
    const codes = errors?.map((e) => e.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR')
    const entry = {
      tenantId: ctx.viewer?.tenantId,
      userId: ctx.viewer?.userId,
      operationName: args.operationName ?? operation?.name?.value ?? null,
      operationType: operation?.operation,
      durationMs: Math.round(performance.now() - startedAt),
      ...(codes?.length && { errorCodes: codes }),
    }
    if (codes?.includes('INTERNAL_SERVER_ERROR')) ctx.log.error({ ...entry, errors: errors?.map((e) => e.originalError?.stack ?? e.message) }, 'operation failed')
    else ctx.log.info(entry, 'operation')
  }
  return {
    onExecute({ args }) {
      const startedAt = performance.now()
      return {
        onExecuteDone({ result }) {
          if ('errors' in result || 'data' in result) logDone(args.contextValue as Context, args, startedAt, (result as any).errors)
        },
      }
    },
    onSubscribe({ args }) {
      const startedAt = performance.now()
      return {
        onSubscribeResult({ result }) {
          if (result && typeof result === 'object' && 'errors' in result) logDone(args.contextValue as Context, args, startedAt, (result as any).errors)
          else logDone(args.contextValue as Context, args, startedAt, undefined)
        },
      }
    },
  }
}
