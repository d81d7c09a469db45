// Small Yoga plugins of our own: request limits and the per-operation log line.
import type { Plugin } from 'graphql-yoga'
import { type DocumentNode, GraphQLError, getOperationAST } from 'graphql'
import type { Context } from '../context.js'
import { errorCode, shortMessage } from './mask-error.js'

/**
 * A request body over MAX_REQUEST_BYTES is refused with 413 before it is read. The size must be
 * declared: a POST without Content-Length (a chunked body) is refused with 411, so no body of unknown
 * size is ever buffered. (Every GraphQL client sends Content-Length for its JSON body.)
 */
export function useRequestLimits(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const declared = request.headers.get('content-length')
      const refuse = (status: number, message: string, code: string) =>
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
            status,
            headers: { 'content-type': 'application/json' },
          }),
        )
      if (request.method === 'POST' && declared === null && request.headers.has('transfer-encoding'))
        return refuse(411, 'Content-Length is required', 'BAD_USER_INPUT')
      if (Number(declared ?? 0) > maxBytes) refuse(413, `Request body over ${maxBytes} bytes`, 'PAYLOAD_TOO_LARGE')
    },
  }
}

/**
 * Errors the GraphQL machinery itself reports about a request (malformed JSON, a document that fails
 * validation, a variable of the wrong type) carry no code, or Yoga's BAD_REQUEST; they are the client's
 * input, so they get BAD_USER_INPUT (the contract's code) like every other refusal of input.
 */
const YOGA_INPUT_CODES = new Set(['BAD_REQUEST', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'OPERATION_RESOLUTION_FAILURE'])

export function useInputErrorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || isAsyncIterable(result) || !result.errors?.length) return
      const isInput = (e: GraphQLError) => !e.extensions?.['code'] || YOGA_INPUT_CODES.has(e.extensions['code'] as string)
      const isLong = (e: GraphQLError) => e.message !== shortMessage(e.message)
      // Yoga puts the parser's own error (quoting the body) in extensions.originalError: never sent.
      const hasOriginal = (e: GraphQLError) => e.extensions !== undefined && 'originalError' in e.extensions
      if (!result.errors.some((e) => isInput(e) || isLong(e) || hasOriginal(e))) return
      setResult({
        ...result,
        errors: result.errors.map((e) =>
          !isInput(e) && !isLong(e) && !hasOriginal(e)
            ? e
            : new GraphQLError(shortMessage(e.message), {
                nodes: e.nodes,
                source: e.source,
                positions: e.positions,
                path: e.path,
                extensions: { ...withoutOriginal(e.extensions), ...(isInput(e) && { code: 'BAD_USER_INPUT' }), ...httpOf(e) },
              }),
        ),
      })
    },
  }
}

/**
 * A request Yoga could not even read (malformed JSON, no query: its BAD_REQUEST) is a 400 whatever the
 * Accept header; Yoga marks it `spec` so that application/json clients would get 200, as GraphQL over
 * HTTP asks only for document and variable errors.
 */
function httpOf(e: GraphQLError) {
  const http = e.extensions?.['http'] as { spec?: boolean; status?: number } | undefined
  if (e.extensions?.['code'] !== 'BAD_REQUEST' || !http?.spec) return {}
  const { spec: _spec, ...rest } = http
  return { http: rest }
}

function withoutOriginal(extensions: Record<string, unknown> | undefined) {
  const { originalError: _dropped, ...rest } = extensions ?? {}
  return rest
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value
}

/**
 * One structured log line per operation: request id, tenant, user, operation name and type, duration,
 * error codes. Never variables (they carry message bodies) and never headers (they carry tokens).
 */
export function useOperationLog(): Plugin<Context> {
  const logDone = (
    ctx: Context,
    args: { document: DocumentNode; operationName?: string | null },
    startedAt: number,
    errors: readonly GraphQLError[] | undefined,
  ) => {
    const operation = getOperationAST(args.document, args.operationName)
    const codes = errors?.map(errorCode)
    const entry = {
      tenantId: ctx.viewer?.tenantId,
      userId: ctx.viewer?.userId,
      operationName: (args.operationName ?? operation?.name?.value)?.slice(0, 100) ?? null,
      operationType: operation?.operation,
      durationMs: Math.round(performance.now() - startedAt),
      ...(codes?.length && { errorCodes: codes }),
    }
    // Stacks only for unexpected errors; expected ones are logged by code alone (their messages can
    // echo request values).
    if (codes?.includes('INTERNAL_SERVER_ERROR'))
      ctx.log.error(
        { ...entry, errors: errors?.filter((e) => errorCode(e) === 'INTERNAL_SERVER_ERROR').map((e) => e.originalError?.stack ?? e.name) },
        'operation failed',
      )
    else ctx.log.info(entry, 'operation')
  }
  return {
    onExecute({ args }) {
      const startedAt = performance.now()
      return {
        onExecuteDone({ result }) {
          if ('errors' in result || 'data' in result)
            logDone(args.contextValue as Context, args, startedAt, (result as { errors?: readonly GraphQLError[] }).errors)
        },
      }
    },
    onSubscribe({ args }) {
      const startedAt = performance.now()
      return {
        onSubscribeResult({ result }) {
          if (result && typeof result === 'object' && 'errors' in result)
            logDone(args.contextValue as Context, args, startedAt, (result as { errors?: readonly GraphQLError[] }).errors)
          else logDone(args.contextValue as Context, args, startedAt, undefined)
        },
      }
    },
  }
}
