import { spawn } from 'node:child_process'
import { Duplex } from 'node:stream'

/**
 * A child process's stdin/stdout as one stream for ssh2, the way ssh(1) uses a ProxyCommand.
 * A non-zero exit destroys the stream with `failure(code, stderr)`; a failed spawn or a closed
 * stdin destroys it with that error.
 */
export function processStream(command: string, args: readonly string[], failure: (code: number, stderr: string) => Error): Duplex {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const stream = new Duplex({
    // The proxy's output ending means the connection ended: close the stream (ssh2 waits for 'close').
    allowHalfOpen: false,
    write(chunk, encoding, callback) {
      child.stdin.write(chunk, encoding, callback)
    },
    read() {
      child.stdout.resume()
    },
    final(callback) {
      if (!child.stdin.destroyed) child.stdin.end()
      callback()
    },
    destroy(error, callback) {
      child.kill()
      callback(error)
    },
  })
  child.stdout.on('data', (chunk: Buffer) => {
    if (!stream.push(chunk)) child.stdout.pause()
  })
  child.stdout.on('end', () => stream.push(null))
  child.stdin.on('error', (error) => stream.destroy(error))
  child.on('error', (error) => stream.destroy(error))
  child.on('exit', (code) => {
    if (code !== 0 && code !== null && !stream.destroyed) stream.destroy(failure(code, stderr.trim()))
  })
  return stream
}
