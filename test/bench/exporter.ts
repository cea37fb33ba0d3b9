// Debian's prometheus-libvirt-exporter (0.2.0) run inside a lab host (its network, mount and UTS
// namespaces: it sees that host's libvirt socket) and scraped over HTTP on the lab network the way
// Prometheus does: one kept-alive connection, `Accept-Encoding: gzip`.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { processStream } from '../../src-main/ssh/process-stream'

export const EXPORTER = '/usr/bin/prometheus-libvirt-exporter'
export const EXPORTER_PORT = 9177

export function exporterProblem(): string | undefined {
  return existsSync(EXPORTER) ? undefined : `${EXPORTER} is missing: apt-get install -y prometheus-libvirt-exporter`
}

export interface RunningExporter {
  pid: number
  stop(): Promise<void>
}

/** Starts the exporter in the namespaces of a lab host's sshd (pid), listening on the host's address. */
export async function startExporter(hostPid: number, ip: string): Promise<RunningExporter> {
  const child: ChildProcess = spawn('nsenter', ['-t', String(hostPid), '-m', '-n', '-u', EXPORTER, `--web.listen-address=${ip}:${EXPORTER_PORT}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let log = ''
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const pid = child.pid
  if (pid === undefined) throw new Error('could not start the exporter')
  return {
    pid,
    async stop() {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      if (log.includes('panic')) throw new Error(`the exporter failed: ${log.slice(-500)}`)
    },
  }
}

export interface Scrape {
  /** Metrics text as the exporter rendered it. */
  rawBytes: number
  /** HTTP response as received (headers and gzip body). */
  receivedBytes: number
  text: string
}

/** An HTTP/1.1 keep-alive client over `nsenter --net=<hub> socat` (the root namespace has no lab address). */
export class Scraper {
  private readonly stream
  private buffer = Buffer.alloc(0)
  private waiting: (() => void) | undefined

  constructor(hubNamespace: string, ip: string) {
    this.stream = processStream('nsenter', [`--net=/run/netns/${hubNamespace}`, 'socat', 'STDIO', `TCP:${ip}:${EXPORTER_PORT},nodelay`], (code, stderr) => new Error(`scrape connection exited with ${code}: ${stderr}`))
    this.stream.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      this.waiting?.()
    })
    this.stream.on('error', () => this.waiting?.())
  }

  private async need(test: () => boolean): Promise<void> {
    while (!test()) {
      if (this.stream.destroyed) throw new Error('the exporter closed the connection')
      await new Promise<void>((resolve) => (this.waiting = resolve))
    }
    this.waiting = undefined
  }

  async scrape(): Promise<Scrape> {
    this.stream.write('GET /metrics HTTP/1.1\r\nHost: exporter\r\nAccept-Encoding: gzip\r\n\r\n')
    await this.need(() => this.buffer.includes('\r\n\r\n'))
    const headerEnd = this.buffer.indexOf('\r\n\r\n') + 4
    const head = this.buffer.subarray(0, headerEnd).toString('latin1')
    if (!/^HTTP\/1\.1 200/.test(head)) throw new Error(`exporter answered ${head.split('\r\n')[0]}`)
    let body: Buffer
    let consumed: number
    const length = /\r\ncontent-length: (\d+)/i.exec(head)
    if (length) {
      const n = Number(length[1])
      await this.need(() => this.buffer.length >= headerEnd + n)
      body = this.buffer.subarray(headerEnd, headerEnd + n)
      consumed = headerEnd + n
    } else {
      // chunked: <hex size>\r\n<data>\r\n ... 0\r\n\r\n
      const chunks: Buffer[] = []
      let at = headerEnd
      for (;;) {
        await this.need(() => this.buffer.indexOf('\r\n', at) >= 0)
        const lineEnd = this.buffer.indexOf('\r\n', at)
        const size = parseInt(this.buffer.subarray(at, lineEnd).toString('latin1'), 16)
        await this.need(() => this.buffer.length >= lineEnd + 2 + size + 2)
        if (size === 0) {
          consumed = lineEnd + 4
          break
        }
        chunks.push(this.buffer.subarray(lineEnd + 2, lineEnd + 2 + size))
        at = lineEnd + 2 + size + 2
      }
      body = Buffer.concat(chunks)
    }
    this.buffer = this.buffer.subarray(consumed)
    const text = (/\r\ncontent-encoding: gzip/i.test(head) ? gunzipSync(body) : body).toString('utf8')
    return { rawBytes: Buffer.byteLength(text), receivedBytes: consumed, text }
  }

  close(): void {
    this.stream.destroy()
  }
}
