import type { ServerChannel } from 'ssh2'

/**
 * The host side of a resident statistics session on a scripted SSH server (a FAKE host: no
 * shell, virsh or awk runs): each request (one poll) is answered with a captured poll, its nonce
 * swapped for the request's, or with a START line and `bytes` of flood that only the output cap
 * can stop. The channel stays open, as the real session's does.
 */
export function serveStatsSession(channel: ServerChannel, reply: { poll: string } | { bytes: number }): void {
  channel.on('error', () => undefined)
  channel.setEncoding('utf8')
  channel.on('data', (request: string) => {
    const nonce = /@@VP ([0-9a-f]+) POLL/.exec(request)?.[1]
    if (!nonce) return
    if ('bytes' in reply) return void channel.write(Buffer.concat([Buffer.from(`@@VP ${nonce} START stats-1\n`), Buffer.alloc(reply.bytes, 'y\n')]))
    const canned = /^@@VP (\S+) START/.exec(reply.poll)![1]!
    channel.write(reply.poll.replaceAll(`@@VP ${canned} `, `@@VP ${nonce} `))
  })
}
