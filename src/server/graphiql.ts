// GraphiQL, self-contained: the page and every asset it loads (Yoga's GraphiQL bundle from
// @graphql-yoga/render-graphiql, its Monaco workers, graphql-ws's browser build, our fetcher) are served
// from /graphiql/* by this server; nothing is fetched from a CDN.
//
// Our fetcher (CLIENT_SCRIPT) sends queries and mutations over HTTP with the headers typed in the
// headers editor, and runs each subscription on its own graphql-ws socket whose `connection_init`
// carries those headers as connectionParams ({ authorization, headers }): the server authenticates at
// connection_init as the contract says (Yoga's stock fetcher opens the socket with an empty payload and
// only sends the headers per operation, in `extensions.headers`, which the server never reads).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { GraphiQLOptions, Plugin } from 'graphql-yoga'

export const GRAPHIQL_ASSETS_PATH = '/graphiql/'

const require = createRequire(import.meta.url)

/** The first screen: no Authorization header (the schema loads without a token), the how-to in the query. */
export const DEFAULT_QUERY = `# Switchboard GraphiQL
#
# 1. Get a token:  npm run -s token -- --tenant acme --user alice --role operator
# 2. Open the Headers tab below and paste:  {"Authorization": "Bearer <the token>"}
# 3. Run. Queries and mutations send these headers over HTTP; each subscription opens a
#    WebSocket whose connection_init carries them (graphql-ws connectionParams).
#
# The schema (Docs, autocompletion) loads without a token.

query Viewer {
  viewer {
    user { id externalId displayName role }
    tenant { id externalId }
  }
}
`

export function graphiqlOptions(): GraphiQLOptions {
  return { title: 'Switchboard', defaultQuery: DEFAULT_QUERY, headers: '{}' }
}

/** Yoga's `renderGraphiQL`: a page whose scripts and styles all come from /graphiql/*. */
export function renderGraphiQL(options: GraphiQLOptions = {}): string {
  const { endpoint, ...rest } = options
  const json = JSON.stringify({ ...rest, url: endpoint ?? '/graphql' }).replace(/</g, '\\u003c')
  const a = GRAPHIQL_ASSETS_PATH
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Switchboard GraphiQL</title>
    <link rel="icon" href="${a}favicon.ico" />
    <link rel="stylesheet" href="${a}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script id="graphiql-options" type="application/json">${json}</script>
    <script src="${a}switchboard-graphiql.js"></script>
    <script src="${a}graphql-ws.js"></script>
    <script src="${a}yoga-graphiql.js"></script>
    <script src="${a}start.js"></script>
  </body>
</html>
`
}

/** The browser side: `SwitchboardGraphiQL.createFetcher` and `operationType`, plus Monaco's worker URLs. */
export const CLIENT_SCRIPT = String.raw`(function (root) {
  'use strict'
  var ASSETS = ${JSON.stringify(GRAPHIQL_ASSETS_PATH)}
  var WORKERS = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' }
  root.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return ASSETS + (WORKERS[label] || WORKERS.editorWorkerService) },
  }

  // The operations of a document: [{ type: 'query' | 'mutation' | 'subscription', name }].
  function operationsOf(query) {
    var src = String(query || '').replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*/g, ' ')
    var re = /[{}()]|[_A-Za-z][_0-9A-Za-z]*/g
    var depth = 0, expect = true, defs = [], m
    while ((m = re.exec(src))) {
      var t = m[0]
      if (t === '{' || t === '(') {
        if (expect && depth === 0 && t === '{') defs.push({ type: 'query', name: null })
        expect = false
        depth++
      } else if (t === '}' || t === ')') {
        depth--
        if (depth === 0 && t === '}') expect = true
      } else if (expect && depth === 0) {
        expect = false
        var name = /^\s*([_A-Za-z][_0-9A-Za-z]*)/.exec(src.slice(re.lastIndex))
        defs.push({ type: t, name: name && t !== 'fragment' ? name[1] : null })
      }
    }
    return defs.filter(function (d) { return d.type !== 'fragment' })
  }

  // The type of the operation GraphiQL runs: 'query', 'mutation' or 'subscription'.
  function operationType(ops, operationName) {
    var op = operationName ? ops.filter(function (d) { return d.name === operationName })[0] : ops[0]
    return (op || ops[0] || { type: 'query' }).type
  }

  function authorizationOf(headers) {
    for (var k in headers) if (k.toLowerCase() === 'authorization') return headers[k]
    return undefined
  }

  // How a subscription failed, as a GraphQL result: the server's \`error\` message arrives as its list
  // of GraphQL errors (shown as they are); a socket closed by the server (4401: no valid token) as a
  // readable error.
  function failureResult(e) {
    if (Array.isArray(e)) return { errors: e }
    var message = e && typeof e.code === 'number'
      ? 'WebSocket closed: ' + e.code + (e.reason ? ' ' + e.reason : '') + (e.code === 4401 ? ' (put {"Authorization": "Bearer <token>"} in the Headers tab)' : '')
      : String((e && e.message) || e)
    return { errors: [{ message: message }] }
  }

  function createFetcher(options) {
    var url = new URL(options.url, options.base || root.location.href).toString()
    var wsUrl = url.replace(/^http/, 'ws')
    var fetchImpl = options.fetch || root.fetch.bind(root)
    var createClient = options.createClient || root.graphqlWs.createClient
    return function fetcher(params, fetcherOpts) {
      var headers = (fetcherOpts && fetcherOpts.headers) || {}
      var ops = operationsOf(params.query)
      // GraphiQL updates the operation name a moment after an edit: with one operation in the document,
      // a name it does not have is that stale name, not a choice.
      var operationName = params.operationName || undefined
      if (operationName && ops.length === 1 && ops[0].name !== operationName) operationName = ops[0].name || undefined
      var body = { query: params.query, variables: params.variables, operationName: operationName }
      if (operationType(ops, operationName) !== 'subscription') {
        return fetchImpl(url, {
          method: 'POST',
          headers: Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, headers),
          body: JSON.stringify(body),
        }).then(function (res) { return res.json() })
      }
      var authorization = authorizationOf(headers)
      var connectionParams = authorization === undefined ? { headers: headers } : { authorization: authorization, headers: headers }
      var client = createClient({ url: wsUrl, webSocketImpl: options.WebSocket, lazy: true, retryAttempts: 0, connectionParams: connectionParams })
      var events = client.iterate(body)
      var done = false
      function finish() {
        if (done) return Promise.resolve()
        done = true
        return Promise.resolve(events.return && events.return()).then(function () { return client.dispose() })
      }
      var iterator = {
        next: function () {
          if (done) return Promise.resolve({ done: true, value: undefined })
          return events.next().then(
            function (r) { if (r.done) return finish().then(function () { return r }); return r },
            function (e) { return finish().then(function () { return { done: false, value: failureResult(e) } }) },
          )
        },
        return: function () { return finish().then(function () { return { done: true, value: undefined } }) },
      }
      iterator[Symbol.asyncIterator] = function () { return iterator }
      return iterator
    }
  }

  root.SwitchboardGraphiQL = {
    createFetcher: createFetcher,
    operationType: function (query, operationName) { return operationType(operationsOf(query), operationName) },
  }
})(typeof self !== 'undefined' ? self : globalThis)
`

const START_SCRIPT = `(function () {
  var options = JSON.parse(document.getElementById('graphiql-options').textContent)
  options.fetcher = SwitchboardGraphiQL.createFetcher({ url: options.url })
  delete options.url
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options)
})()
`

interface Asset {
  type: string
  body: string | Uint8Array
}

let assets: Promise<Map<string, Asset>> | undefined

/** Loaded on the first asset request (the GraphiQL bundle is ~9 MB of JavaScript). */
function loadAssets(): Promise<Map<string, Asset>> {
  return (assets ??= (async () => {
    const bundle = await import('@graphql-yoga/render-graphiql/graphiql')
    // graphql-ws does not export its browser build: found beside its CommonJS entry (dist/index.cjs).
    const graphqlWs = await readFile(join(dirname(require.resolve('graphql-ws')), '..', 'umd', 'graphql-ws.min.js'), 'utf8')
    const js = 'text/javascript; charset=utf-8'
    const favicon = bundle.favicon.startsWith('data:') ? Buffer.from(bundle.favicon.split(',')[1] ?? '', 'base64') : Buffer.alloc(0)
    return new Map<string, Asset>([
      ['yoga-graphiql.js', { type: js, body: bundle.js }],
      ['graphiql.css', { type: 'text/css; charset=utf-8', body: bundle.css }],
      ['editor.worker.js', { type: js, body: bundle.editorWorkerService }],
      ['json.worker.js', { type: js, body: bundle.jsonWorker }],
      ['graphql.worker.js', { type: js, body: bundle.graphqlWorker }],
      ['favicon.ico', { type: 'image/x-icon', body: new Uint8Array(favicon) }],
      ['graphql-ws.js', { type: js, body: graphqlWs }],
      ['switchboard-graphiql.js', { type: js, body: CLIENT_SCRIPT }],
      ['start.js', { type: js, body: START_SCRIPT }],
    ])
  })())
}

/** Serves GET /graphiql/<asset> (only installed when GraphiQL is on). */
export function useGraphiQLAssets(): Plugin {
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH) || (request.method !== 'GET' && request.method !== 'HEAD')) return
      const name = url.pathname.slice(GRAPHIQL_ASSETS_PATH.length)
      return loadAssets().then((all) => {
        const asset = all.get(name)
        endResponse(
          asset
            ? new fetchAPI.Response(request.method === 'HEAD' ? null : (asset.body as BodyInit), {
                status: 200,
                headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' },
              })
            : new fetchAPI.Response(null, { status: 404 }),
        )
      })
    },
  }
}
