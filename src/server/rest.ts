// REST fallbacks generated from the schema by SOFA, under /rest: every Query field is a GET
// (GET /rest/conversations, GET /rest/messages?conversationId=…&afterSeq=…), every Mutation a POST
// with the field's arguments as JSON (POST /rest/send-message {"input": {…}}). Same auth, same
// context and plugins as /graphql. OpenAPI at /rest/openapi.json (bearerAuth), Swagger UI at /rest/docs
// (src/server/rest-docs.ts: no CDN).
import type { Plugin } from 'graphql-yoga'
import { errorCode } from './mask-error.js'
import { BEARER_SECURITY, useRestDocs } from './rest-docs.js'
import { useLeanSofa } from './rest-selection.js'

const STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
}

export function useRestFallback({ docs }: { docs: boolean }): Plugin[] {
  return [
    {
      // SOFA's webhook routes would let a client make this server POST to any URL: not offered. The
      // OpenAPI description and its UI only when `docs` (REST_DOCS; off in production by default).
      onRequest({ url, endResponse, fetchAPI }) {
        const hidden =
          url.pathname.startsWith('/rest/webhook') ||
          (!docs && (url.pathname === '/rest/openapi.json' || url.pathname.startsWith('/rest/docs')))
        if (hidden) endResponse(new fetchAPI.Response(null, { status: 404 }))
      },
    },
    // Swagger UI with its assets from swagger-ui-dist (SOFA's own page loads them from a CDN).
    ...(docs ? [useRestDocs()] : []),
    // Each route selects the lean shape of src/server/rest-selection.ts, not SOFA's deep default.
    useLeanSofa({
      basePath: '/rest',
      // Bearer auth declared, so Swagger UI's "Authorize" sends the token with "Try it out".
      openAPI: { info: { title: 'Switchboard REST fallback', version: '1' }, ...BEARER_SECURITY } as never,
      swaggerUI: { endpoint: '/docs' },
      // An expected error keeps its code and gets the matching HTTP status (SOFA would answer 500).
      errorHandler: (errors) => {
        const list = errors.map((e: { message?: string; path?: unknown }) => ({
          message: e.message,
          path: e.path,
          extensions: { code: errorCode(e) },
        }))
        const status = STATUS[String(list[0]?.extensions.code)] ?? 500
        return new Response(JSON.stringify({ errors: list }), {
          status,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }) as never
      },
    }),
  ]
}
