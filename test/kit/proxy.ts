// A TCP proxy in front of a test server, so a test can cut a client's network (every open connection
// reset, new ones refused) and bring it back, without touching the server or the client.
import net from 'node:net'

export interface TcpProxy {
  /** http://127.0.0.1:<port> */
  url: string
  graphqlUrl: string
  wsUrl: string
  /** Resets every open connection and refuses new ones until restore(). */
  cut(): void
  restore(): void
  /** Connections accepted so far (reconnects show up here). */
  readonly accepted: number
  close(): Promise<void>
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl)
  const sockets = new Set<net.Socket>()
  let down = false
  let accepted = 0
  const server = net.createServer((client) => {
    if (down) return client.resetAndDestroy()
    accepted++
    const upstream = net.connect(Number(target.port), target.hostname)
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(a)
      a.on('close', () => sockets.delete(a))
      a.on('error', () => b.destroy())
      a.on('close', () => b.destroy())
      a.pipe(b)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    cut() {
      down = true
      for (const socket of sockets) socket.resetAndDestroy()
    },
    restore() {
      down = false
    },
    get accepted() {
      return accepted
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
