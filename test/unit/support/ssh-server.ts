import { connect as tcpConnect } from 'node:net'
import ssh2, { type AuthContext, type ServerChannel } from 'ssh2'

/**
 * A scripted SSH server on 127.0.0.1 (ssh2's own server), for tests that need a host to behave
 * in a way a real sshd will not on request: flood its output, change what authentication it
 * offers between connections, forward to another server as a jump host.
 */
export interface TestSshServer {
  port: number
  /** The host key as known_hosts stores it (the key blob). */
  hostKeyBlob: Buffer
  /** Every authentication attempt, in order: the method and, for passwords, what was sent. */
  attempts: { user: string; method: string; password?: string }[]
  /** Ends every session, as when the server restarts (clients see the connection drop). */
  dropClients(): void
  close(): Promise<void>
}

export interface TestSshServerOptions {
  /** Decides each attempt; called with the connection's number (0 for the first). */
  authenticate: (ctx: AuthContext, connection: number) => void
  /** Answers an exec; default: prints nothing and exits 0. */
  exec?: (command: string, channel: ServerChannel) => void
  /** Lets clients open direct-tcpip channels (ProxyJump) to 127.0.0.1 ports. */
  forwarding?: boolean
  /** The host key's type (default ed25519). */
  hostKeyType?: 'ed25519' | 'ecdsa'
}

export async function startSshServer(options: TestSshServerOptions): Promise<TestSshServer> {
  const generate = () => (options.hostKeyType === 'ecdsa' ? ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }) : ssh2.utils.generateKeyPairSync('ed25519'))
  // ssh2's ed25519 generator writes about one public key in 200 that its own parser calls malformed
  // (15 of 3,000 here): a host key is random anyway, so take the next one.
  let keys = generate()
  let parsed = ssh2.utils.parseKey(keys.public)
  for (let tries = 1; parsed instanceof Error && tries < 5; tries++) {
    keys = generate()
    parsed = ssh2.utils.parseKey(keys.public)
  }
  if (parsed instanceof Error) throw parsed
  const attempts: TestSshServer['attempts'] = []
  const clients = new Set<ssh2.Connection>()
  let connections = 0
  const server = new ssh2.Server({ hostKeys: [keys.private] }, (client) => {
    const number = connections++
    clients.add(client)
    client.on('close', () => clients.delete(client))
    client.on('error', () => undefined)
    client.on('authentication', (ctx) => {
      attempts.push({ user: ctx.username, method: ctx.method, ...(ctx.method === 'password' ? { password: ctx.password } : {}) })
      options.authenticate(ctx, number)
    })
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept()
        session.on('exec', (acceptExec, _reject, info) => {
          const channel = acceptExec()
          if (options.exec) return options.exec(info.command, channel)
          channel.exit(0)
          channel.end()
        })
      })
      client.on('tcpip', (accept, reject, info) => {
        if (!options.forwarding || info.destIP !== '127.0.0.1') return reject()
        const socket = tcpConnect(info.destPort, '127.0.0.1')
        socket.once('connect', () => {
          const channel = accept()
          socket.pipe(channel).pipe(socket)
          socket.on('error', () => channel.destroy())
        })
        socket.once('error', () => reject())
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as { port: number }).port,
    hostKeyBlob: parsed.getPublicSSH(),
    attempts,
    dropClients: () => {
      for (const c of clients) c.end()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end()
        server.close(() => resolve())
      }),
  }
}
