// A TCP proxy in front of a test server, so a test can cut a client's network (every open connection
// reset, new ones refused) and bring it back, without touching the server or the client; or blackhole it:
// nothing passes any more and nothing is closed, the way a connection dies when a phone switches networks
// or a NAT forgets its mapping (no FIN, no RST: only the silence tells).
import net from 'node:net'

export interface TcpProxy {
  /** http://127.0.0.1:<port> */
  url: string
  graphqlUrl: string
  wsUrl: string
  /** Resets every open connection and refuses new ones until restore(). */
  cut(): void
  /**
   * Drops every byte of every open connection, in both directions, from now on, without closing anything;
   * connections accepted until restore() are held open and silent too (their handshakes never complete).
   * restore() lets new connections through; the blackholed ones stay dead, as after a network change.
   */
  blackhole(): void
  restore(): void
  /** Connections accepted so far (reconnects show up here). */
  readonly accepted: number
  /** Bytes dropped while blackholed (so a test can tell something was sent into the void). */
  readonly dropped: number
  close(): Promise<void>
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl)
  const sockets = new Set<net.Socket>()
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>()
  let mode: 'up' | 'down' | 'blackhole' = 'up'
  let accepted = 0
  let dropped = 0
  const swallow = (socket: net.Socket) => {
    socket.on('data', (chunk: Buffer) => void (dropped += chunk.length))
    socket.on('error', () => {})
    socket.resume() // unpipe() may have paused it
  }
  const server = net.createServer((client) => {
    if (mode === 'down') return client.resetAndDestroy()
    accepted++
    if (mode === 'blackhole') {
      sockets.add(client)
      client.on('close', () => sockets.delete(client))
      return swallow(client)
    }
    const upstream = net.connect(Number(target.port), target.hostname)
    const pair = { client, upstream }
    pairs.add(pair)
    client.on('close', () => pairs.delete(pair))
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
      mode = 'down'
      for (const socket of sockets) socket.resetAndDestroy()
    },
    blackhole() {
      mode = 'blackhole'
      for (const pair of pairs) {
        pair.client.unpipe(pair.upstream)
        pair.upstream.unpipe(pair.client)
        swallow(pair.client)
        swallow(pair.upstream)
      }
      pairs.clear()
    },
    restore() {
      mode = 'up'
    },
    get accepted() {
      return accepted
    },
    get dropped() {
      return dropped
    },
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
