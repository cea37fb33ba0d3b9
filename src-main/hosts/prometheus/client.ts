import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { z } from 'zod'
import { english, msg } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { decodeMatrix, type MatrixColumns } from './matrix'
import type { ResolvedAuth } from './source'

/** What went wrong talking to the store; each kind has its own fix, named in the message. */
export type StoreErrorKind = 'unreachable' | 'auth' | 'bad-response' | 'query' | 'missing-metrics' | 'label-mismatch' | 'stale'

export class MetricStoreError extends Error {
  override name = 'MetricStoreError'
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    /** The same message as a key, for the admin's language (the English is `message`). */
    readonly messageRef?: MessageRef,
  ) {
    super(message)
  }
}

/** A MetricStoreError in VirtPilot's words: the English of the message, and the message beside it. */
function storeError(kind: StoreErrorKind, ref: MessageRef): MetricStoreError {
  return new MetricStoreError(kind, english(ref), ref)
}

/** A store answer larger than this is refused (a runaway query, or not a store at all). */
export const RESPONSE_LIMIT_BYTES = 64 * 1024 * 1024
const TIMEOUT_MS = 30_000

const SampleSchema = z.tuple([z.number(), z.string()])
const VectorSchema = z.array(z.object({ metric: z.record(z.string(), z.string()), value: SampleSchema }))
const MatrixSchema = z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(SampleSchema) }))
const EnvelopeSchema = z.object({
  status: z.enum(['success', 'error']),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()).optional(),
})

export interface InstantSample {
  labels: Record<string, string>
  value: number
}
export interface RangeSeries {
  labels: Record<string, string>
  /** [epoch ms, value] pairs, oldest first. */
  points: [number, number][]
}

/** Counters of what the store cost us: requests and bytes received (shown by the bench and the CLI). */
export interface StoreTraffic {
  requests: number
  bytes: number
}

/**
 * The plain Prometheus HTTP API (`/api/v1/query`, `query_range`, `series`, `labels`,
 * `label/<name>/values`), which Thanos Query, Mimir/Cortex and VictoriaMetrics also serve.
 * Requests are POSTed as forms so long PromQL never meets a URL length limit.
 */
export class PrometheusClient {
  readonly traffic: StoreTraffic = { requests: 0, bytes: 0 }
  /** The path the API lives under (`''`, `/prometheus` for Mimir, ...), without a trailing slash. */
  private readonly prefix: string
  /** The address as the admin should see it in messages. */
  readonly label: string

  constructor(
    readonly base: URL,
    private readonly auth: ResolvedAuth,
    private readonly timeoutMs = TIMEOUT_MS,
  ) {
    let prefix = base.pathname
    while (prefix.endsWith('/')) prefix = prefix.slice(0, -1)
    this.prefix = prefix
    this.label = `${base.protocol}//${base.host}${prefix}`
  }

  async query(expr: string, timeMs?: number): Promise<InstantSample[]> {
    const form: Record<string, string> = { query: expr }
    if (timeMs !== undefined) form.time = (timeMs / 1000).toFixed(3)
    const data = await this.call('query', form)
    const parsed = z.object({ resultType: z.literal('vector'), result: VectorSchema }).safeParse(data)
    if (!parsed.success) throw this.badResponse('query', 'notVector')
    return parsed.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }))
  }

  /** A range may take a busy store longer than a poll's instant query: `timeoutMs` bounds it (default: 4 x the client's). */
  async queryRange(expr: string, startMs: number, endMs: number, stepMs: number, timeoutMs = 4 * this.timeoutMs): Promise<RangeSeries[]> {
    const columns = await this.queryRangeColumns(expr, startMs, endMs, stepMs, timeoutMs)
    return columns.map((c) => ({ labels: c.labels, points: Array.from(c.t, (t, i) => [t, c.v[i]!] as [number, number]) }))
  }

  /** The same answer as columns of times and values: a fleet's week without a pair or a string per point. */
  async queryRangeColumns(expr: string, startMs: number, endMs: number, stepMs: number, timeoutMs = 4 * this.timeoutMs): Promise<MatrixColumns[]> {
    const form = { query: expr, start: (startMs / 1000).toFixed(3), end: (endMs / 1000).toFixed(3), step: `${Math.max(1, Math.round(stepMs / 1000))}s` }
    const { status, text } = await this.fetch('query_range', form, 'POST', timeoutMs)
    const fast = status === 200 ? decodeMatrix(text) : undefined
    if (fast) return fast
    const data = this.envelope('query_range', status, text)
    const parsed = z.object({ resultType: z.literal('matrix'), result: MatrixSchema }).safeParse(data)
    if (!parsed.success) throw this.badResponse('query_range', 'notMatrix')
    return parsed.data.result.map((r) => ({ labels: r.metric, t: Float64Array.from(r.values, ([t]) => Math.round(t * 1000)), v: Float64Array.from(r.values, ([, v]) => Number(v)) }))
  }

  /** Series matching any selector over the window (labels only, no samples). */
  async series(match: readonly string[], startMs: number, endMs: number): Promise<Record<string, string>[]> {
    const data = await this.call('series', { 'match[]': [...match], start: (startMs / 1000).toFixed(3), end: (endMs / 1000).toFixed(3) })
    const parsed = z.array(z.record(z.string(), z.string())).safeParse(data)
    if (!parsed.success) throw this.badResponse('series', 'notLabelSets')
    return parsed.data
  }

  /** Values of one label (`__name__` gives the metric names the store holds), optionally limited to matching series. */
  async labelValues(name: string, match: readonly string[] = [], startMs?: number, endMs?: number): Promise<string[]> {
    const form: Record<string, string | string[]> = {}
    if (match.length > 0) form['match[]'] = [...match]
    if (startMs !== undefined) form.start = (startMs / 1000).toFixed(3)
    if (endMs !== undefined) form.end = (endMs / 1000).toFixed(3)
    const data = await this.call(`label/${encodeURIComponent(name)}/values`, form, 'GET')
    const parsed = z.array(z.string()).safeParse(data)
    if (!parsed.success) throw this.badResponse('label values', 'notStrings')
    return parsed.data
  }

  private badResponse(what: string, why: 'notVector' | 'notMatrix' | 'notLabelSets' | 'notStrings'): MetricStoreError {
    return storeError('bad-response', msg('access.metricsSource.badResponse', { store: this.label, what, why: msg(`access.metricsSource.${why}`) }))
  }

  private async call(endpoint: string, form: Record<string, string | string[]>, method: 'GET' | 'POST' = 'POST', timeoutMs = this.timeoutMs): Promise<unknown> {
    const { status, text } = await this.fetch(endpoint, form, method, timeoutMs)
    return this.envelope(endpoint, status, text)
  }

  private fetch(endpoint: string, form: Record<string, string | string[]>, method: 'GET' | 'POST', timeoutMs: number): Promise<{ status: number; text: string }> {
    const body = new URLSearchParams()
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item)
    const url = new URL(`${this.prefix}/api/v1/${endpoint}`, this.base)
    if (method === 'GET') url.search = body.toString()
    const payload = method === 'POST' ? body.toString() : undefined
    // A kept-alive connection the store closed as the request left is reset (or broken mid-write): reads are safe to send once more.
    return this.send(url, method, payload, timeoutMs).catch((error: unknown) => {
      if ((error as { reset?: boolean }).reset) return this.send(url, method, payload, timeoutMs)
      throw error
    })
  }

  /** The answer's data, or the error it stands for (credentials refused, not JSON, the store's own error). */
  private envelope(endpoint: string, status: number, text: string): unknown {
    if (status === 401 || status === 403) {
      throw storeError('auth', msg('access.metricsSource.credentialsRefused', { store: this.label, status }))
    }
    let envelope: z.infer<typeof EnvelopeSchema>
    try {
      const parsed = EnvelopeSchema.safeParse(JSON.parse(text))
      if (!parsed.success) throw new Error('no status')
      envelope = parsed.data
    } catch {
      const start = text.slice(0, 120).replace(/[^\x20-\x7e]/g, '?')
      throw storeError('bad-response', msg('access.metricsSource.notJson', { store: this.label, endpoint, status, start }))
    }
    if (envelope.status === 'error') {
      const kind = status === 400 || status === 422 ? 'query' : 'bad-response'
      // The store's own words (its error type and text) stay as it said them.
      throw storeError(kind, msg('access.metricsSource.requestFailed', { store: this.label, endpoint, detail: `${envelope.errorType ?? 'error'}: ${envelope.error ?? 'no reason given'}` }))
    }
    return envelope.data
  }

  private send(url: URL, method: string, body: string | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.auth.headers }
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      headers['content-length'] = String(Buffer.byteLength(body))
    }
    const requester = url.protocol === 'https:' ? httpsRequest : httpRequest
    this.traffic.requests++
    return new Promise((resolve, reject) => {
      const req = requester(url, { method, headers, timeout: timeoutMs, ...(this.auth.ca ? { ca: this.auth.ca } : {}) }, (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          this.traffic.bytes += chunk.length
          if (size > RESPONSE_LIMIT_BYTES) {
            req.destroy(storeError('bad-response', msg('access.metricsSource.tooLarge', { store: this.label, mib: RESPONSE_LIMIT_BYTES / 1024 / 1024 })))
            return
          }
          chunks.push(chunk)
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      })
      req.on('timeout', () => req.destroy(storeError('unreachable', msg('access.metricsSource.timeout', { store: this.label, seconds: timeoutMs / 1000 }))))
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error instanceof MetricStoreError) return reject(error)
        const tls = /certificate|self[- ]signed|CERT_|unable to verify/i.test(`${error.code ?? ''} ${error.message}`)
        const failure = tls
          ? storeError('auth', msg('access.metricsSource.tlsUntrusted', { store: this.label, detail: error.message }))
          : storeError('unreachable', msg('access.metricsSource.unreachable', { store: this.label, detail: error.code ?? error.message }))
        reject(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? Object.assign(failure, { reset: true }) : failure)
      })
      if (body !== undefined) req.write(body)
      req.end()
    })
  }
}
