// What the server exposes to browsers and strangers: origins, introspection, the content types a
// mutation may come in.
import type { IncomingMessage } from 'node:http'
import type { Plugin } from 'graphql-yoga'
import { NoSchemaIntrospectionCustomRule, getOperationAST } from 'graphql'
import { AppError } from '../errors.js'

/**
 * CORS for Yoga. Tokens travel in the Authorization header, never in cookies, so no origin is ever
 * allowed credentials. Without ALLOWED_ORIGINS any origin may call (as any non-browser client may);
 * with it, only the listed ones (the others are refused by useOriginCheck).
 */
export function corsOptions(allowedOrigins: string[] | undefined) {
  const options = { origin: allowedOrigins ?? '*', credentials: false, exposedHeaders: ['Retry-After'] }
  // An unlisted origin gets no CORS headers at all (its preflight fails in the browser).
  return (request: Request) => (originAllowed(request.headers.get('origin'), allowedOrigins) ? options : false)
}

/** True when a request with this Origin header may be served (no Origin: not a browser's cross-site call). */
export function originAllowed(origin: string | null | undefined, allowedOrigins: string[] | undefined): boolean {
  return !allowedOrigins || origin == null || allowedOrigins.includes(origin)
}

/** With ALLOWED_ORIGINS set, an HTTP request whose Origin is not listed is refused with 403. */
export function useOriginCheck(allowedOrigins: string[] | undefined): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (originAllowed(request.headers.get('origin'), allowedOrigins)) return
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message: 'Origin not allowed', extensions: { code: 'FORBIDDEN' } }] }), {
          status: 403,
          headers: { 'content-type': 'application/json' },
        }),
      )
    },
  }
}

/** ws `verifyClient`: the same origin rule for WebSocket upgrades (403 before the handshake). */
export const verifyOrigin =
  (allowedOrigins: string[] | undefined) =>
  (info: { origin: string; req: IncomingMessage }, callback: (ok: boolean, code?: number, message?: string) => void) =>
    originAllowed(info.req.headers.origin, allowedOrigins) ? callback(true) : callback(false, 403, 'Origin not allowed')

/** Introspection off (production default): `__schema` and `__type` fail validation; `__typename` stays. */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule)
    },
  }
}

const JSON_TYPES = ['application/json', 'application/graphql-response+json']

/**
 * A mutation over HTTP only from a JSON body: a form or multipart POST (what a cross-site HTML form can
 * send without a CORS preflight) or text/plain is refused with 415 and nothing runs.
 */
export function useJsonMutationsOnly(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const request = (args.contextValue as { request?: Request }).request
      if (!request || request.method !== 'POST') return
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return
      const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
      if (JSON_TYPES.includes(type)) return
      setResultAndStopExecution({
        errors: [new AppError('BAD_USER_INPUT', 'Mutations must be sent as application/json', { http: { status: 415 } })],
      })
    },
  }
}
