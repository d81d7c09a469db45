// A real webhook receiver on 127.0.0.1: records every request, answers with `respond(n)` (n = 1-based
// request count), and lets tests wait for a number of requests.
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { collector } from './collector.js'

export interface ReceivedRequest {
  headers: IncomingHttpHeaders
  body: string
  status: number
}

export async function startReceiver(respond: (n: number, request: { headers: IncomingHttpHeaders; body: string }) => number = () => 200) {
  const requests = collector<ReceivedRequest>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const status = respond(requests.items.length + 1, { headers: req.headers, body })
      res
        .writeHead(status, { 'content-type': 'text/plain' })
        .end(String(status), () => requests.push({ headers: req.headers, body, status }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests: requests.items,
    waitFor: requests.waitFor,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
