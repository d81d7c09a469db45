// /rest/docs: Swagger UI for the REST fallback, served with its assets from the installed swagger-ui-dist
// (under /rest/docs/assets/*), never from a CDN. It reads /rest/openapi.json, whose bearerAuth security
// scheme makes "Authorize" send `Authorization: Bearer <token>` with every "Try it out".
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Plugin } from 'graphql-yoga'

const require = createRequire(import.meta.url)

export const REST_DOCS_PATH = '/rest/docs'
export const OPENAPI_PATH = '/rest/openapi.json'
const ASSETS = `${REST_DOCS_PATH}/assets/`

/** OpenAPI fragments: a bearer (JWT) scheme required by every operation. */
export const BEARER_SECURITY = {
  components: {
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'A token from the host platform (development: npm run token)',
      },
    },
  },
  security: [{ bearerAuth: [] }],
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Switchboard REST</title>
    <link rel="icon" href="${ASSETS}favicon-32x32.png" />
    <link rel="stylesheet" href="${ASSETS}swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${ASSETS}swagger-ui-bundle.js"></script>
    <script src="${ASSETS}start.js"></script>
  </body>
</html>
`

const START = `window.ui = SwaggerUIBundle({ url: '${OPENAPI_PATH}', dom_id: '#swagger-ui', persistAuthorization: true, deepLinking: true })
`

const FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

interface OpenAPIOperation {
  parameters?: { in: string; name: string }[]
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }
}

/**
 * SOFA lists a POST operation's GraphQL variables twice: as JSON body properties and as query parameters
 * ("input": required, an object). Swagger UI then fills the query ones with example values and sends them
 * in the URL (?body=string&internal=true…), and SOFA reads a variable from the query before the body.
 * Keep them in the body only.
 */
export function bodyArgumentsOnce<T extends { paths?: Record<string, Record<string, unknown>> }>(doc: T): T {
  for (const methods of Object.values(doc.paths ?? {})) {
    for (const value of Object.values(methods)) {
      const op = value as OpenAPIOperation
      if (!op?.requestBody || !op.parameters) continue
      const inBody = new Set(Object.values(op.requestBody.content ?? {}).flatMap((c) => Object.keys(c.schema?.properties ?? {})))
      op.parameters = op.parameters.filter((p) => !(p.in === 'query' && inBody.has(p.name)))
    }
  }
  return doc
}

let dist: string | undefined
const distDir = () => (dist ??= dirname(require.resolve('swagger-ui-dist/package.json')))

/**
 * Serves /rest/docs and its assets (install before SOFA, whose own page loads Swagger UI from a CDN), and
 * rewrites SOFA's /rest/openapi.json with bodyArgumentsOnce.
 */
export function useRestDocs(): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || new URL(request.url).pathname !== OPENAPI_PATH || !response.ok) return
      return response.json().then((doc: Parameters<typeof bodyArgumentsOnce>[0]) => {
        const headers = new fetchAPI.Headers(response.headers)
        headers.delete('content-length')
        setResponse(new fetchAPI.Response(JSON.stringify(bodyArgumentsOnce(doc)), { status: response.status, headers }))
      })
    },
    onRequest({ url, request, endResponse, fetchAPI }) {
      const path = url.pathname.replace(/\/$/, '')
      if (request.method !== 'GET' || !(path === REST_DOCS_PATH || path.startsWith(ASSETS))) return
      const headers = { 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }
      if (path === REST_DOCS_PATH)
        return endResponse(new fetchAPI.Response(PAGE, { headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } }))
      const name = path.slice(ASSETS.length)
      if (name === 'start.js')
        return endResponse(new fetchAPI.Response(START, { headers: { ...headers, 'content-type': 'text/javascript; charset=utf-8' } }))
      const type = FILES[name]
      if (!type) return endResponse(new fetchAPI.Response(null, { status: 404 }))
      return readFile(join(distDir(), name)).then((body) =>
        endResponse(new fetchAPI.Response(new Uint8Array(body), { headers: { ...headers, 'content-type': type } })),
      )
    },
  }
}
