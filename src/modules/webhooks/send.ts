// One delivery attempt: a signed POST (Standard Webhooks, signed by the `standardwebhooks` package)
// with a bounded timeout, no redirects followed, and the SSRF guard on the connection's own lookup.
import http from 'node:http'
import https from 'node:https'
import { Webhook } from 'standardwebhooks'
import { assertLiteralAllowed, guardedLookup } from './ssrf.js'

export interface AttemptResult {
  ok: boolean
  statusCode: number | null
  error: string | null
  /** 'success' | 'http_error' | 'timeout' | 'blocked' | 'network_error' (the metrics label) */
  result: 'success' | 'http_error' | 'timeout' | 'blocked' | 'network_error'
}

export function signHeaders(secret: string, webhookId: string, body: string, at = new Date()): Record<string, string> {
  const signature = new Webhook(secret).sign(webhookId, at, body)
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  }
}

export function sendWebhook(options: {
  url: string
  secret: string
  webhookId: string
  body: string
  timeoutMs: number
  allowPrivate: boolean
}): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let url: URL
    try {
      url = new URL(options.url)
      assertLiteralAllowed(url, options.allowPrivate)
    } catch (e) {
      return resolve({ ok: false, statusCode: null, error: String((e as Error).message), result: 'blocked' })
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Webhooks/1',
      'content-length': String(Buffer.byteLength(options.body)),
      ...signHeaders(options.secret, options.webhookId, options.body),
    }
    const transport = url.protocol === 'https:' ? https : http
    let settled = false
    const finish = (r: AttemptResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r)
    }
    const request = transport.request(
      url,
      { method: 'POST', headers, lookup: guardedLookup(options.allowPrivate), agent: false },
      (response) => {
        const status = response.statusCode ?? 0
        // Drain (bounded) so the socket closes; the answer's body is not used.
        let read = 0
        response.on('data', (chunk: Buffer) => {
          read += chunk.length
          if (read > 64 * 1024) response.destroy()
        })
        response.on('error', () => {})
        response.on('close', () => undefined)
        const ok = status >= 200 && status < 300
        finish({
          ok,
          statusCode: status,
          error: ok ? null : status >= 300 && status < 400 ? `redirect (${status}) not followed` : `HTTP ${status}`,
          result: ok ? 'success' : 'http_error',
        })
        response.resume()
      },
    )
    const timer = setTimeout(() => {
      finish({ ok: false, statusCode: null, error: `timed out after ${options.timeoutMs} ms`, result: 'timeout' })
      request.destroy()
    }, options.timeoutMs)
    request.on('error', (e: Error & { code?: string }) =>
      finish({
        ok: false,
        statusCode: null,
        error: e.message.slice(0, 500),
        result: e.code === 'EBLOCKEDADDRESS' ? 'blocked' : 'network_error',
      }),
    )
    request.end(options.body)
  })
}
