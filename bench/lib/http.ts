// A lean GraphQL-over-HTTP client: node:http with keep-alive, a fixed query string, bodies built by string
// concatenation, and the answer read with a regex instead of JSON.parse (so the client is not what is measured).
import http from 'node:http'

export interface LeanClient {
  /** POSTs a body to /graphql; resolves with the response text (rejects on a non-200 status). */
  post(body: string, token: string): Promise<string>
  close(): void
}

export function leanClient(url: string, maxSockets: number): LeanClient {
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets })
  return {
    post: (body, token) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: target.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
          },
          (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8')
              if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`))
              else resolve(text)
            })
            res.on('error', reject)
          },
        )
        req.on('error', reject)
        req.end(body)
      }),
    close: () => agent.destroy(),
  }
}

export const SEND_QUERY = 'mutation($i:SendMessageInput!){sendMessage(input:$i){message{seq}}}'

/** The JSON body of one sendMessage; ids and body are plain ASCII chosen by the bench (no escaping needed). */
export const sendBody = (conversationId: string, body: string, clientMessageId: string) =>
  `{"query":"${SEND_QUERY}","variables":{"i":{"conversationId":"${conversationId}","body":"${body}","clientMessageId":"${clientMessageId}"}}}`

const SEQ = /"seq":(\d+)/

/** The seq of a sendMessage answer, or an error carrying the answer. */
export function seqOf(text: string): number {
  const m = SEQ.exec(text)
  if (!m || text.includes('"errors"')) throw new Error(`sendMessage failed: ${text.slice(0, 300)}`)
  return Number(m[1])
}
