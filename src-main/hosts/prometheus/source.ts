import { readFileSync } from 'node:fs'
import { english, msg } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'

/** How VirtPilot reaches a Prometheus-compatible store (Prometheus, Thanos, Mimir, VictoriaMetrics). */
export interface PrometheusSourceConfig {
  /** `prometheus+http://HOST:PORT[/path]`, `prometheus+https://...`, or a plain http(s) URL. */
  url: string
  /** A file holding the bearer token (Mimir, Thanos behind a proxy, Grafana Cloud). */
  bearerTokenFile?: string
  /** A file holding `user:password` for HTTP basic auth (Prometheus --web.config.file). */
  basicAuthFile?: string
  /** PEM file of the CA that signed the store's certificate (when it is not a public CA). */
  caFile?: string
  /** Extra header for multi-tenant stores (Mimir/Cortex `X-Scope-OrgID`). */
  tenant?: string
  /**
   * The admin's mapping of what the store calls a host (its `instance` label, with or without
   * the port, or node_exporter's nodename) to the host's name in VirtPilot (an SSH target or alias).
   */
  hostMap?: Record<string, string>
  /** The scrape label whose values tell Proxmox VE clusters apart (default `job`). */
  clusterLabel?: string
}

/** A store setting that cannot work, in VirtPilot's words (`messageRef`; the English is the message). */
export class SourceConfigError extends Error {
  override name = 'SourceConfigError'
  constructor(readonly messageRef: MessageRef) {
    super(english(messageRef))
  }
}

/** The store's base URL (no trailing slash) from what the admin typed. */
export function storeBaseUrl(text: string): URL {
  const trimmed = text.trim()
  const plain = trimmed.replace(/^prometheus\+/i, '')
  let url: URL
  try {
    url = new URL(plain)
  } catch {
    throw new SourceConfigError(msg('access.metricsSource.notAnAddress', { text: trimmed }))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceConfigError(msg('access.metricsSource.onlyHttp', { text: trimmed }))
  if (url.username || url.password) throw new SourceConfigError(msg('access.metricsSource.credentialsInAddress', { text: trimmed }))
  if (url.search || url.hash) throw new SourceConfigError(msg('access.metricsSource.noQuery', { text: trimmed }))
  return url
}

/** True when the text names a store rather than an SSH target. */
export function isStoreAddress(text: string): boolean {
  return /^prometheus\+https?:\/\//i.test(text.trim())
}

export interface ResolvedAuth {
  headers: Record<string, string>
  ca?: string
}

/** Reads the credential and CA files once, with errors that name the file and what it should hold. */
export function resolveAuth(config: PrometheusSourceConfig, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): ResolvedAuth {
  const headers: Record<string, string> = {}
  // The system's reason a file cannot be read (ENOENT, EACCES) stays as it said it.
  const load = (file: string, what: 'bearerToken' | 'basicAuth' | 'ca') => {
    try {
      return read(file)
    } catch (error) {
      throw new SourceConfigError(msg('access.metricsSource.cannotRead', { what: msg(`access.metricsSource.files.${what}`), file, detail: (error as Error).message }))
    }
  }
  if (config.bearerTokenFile && config.basicAuthFile) throw new SourceConfigError(msg('access.metricsSource.bothAuth'))
  if (config.bearerTokenFile) {
    const token = load(config.bearerTokenFile, 'bearerToken').trim()
    if (!token || /\s/.test(token)) throw new SourceConfigError(msg('access.metricsSource.oneToken', { file: config.bearerTokenFile }))
    headers.authorization = `Bearer ${token}`
  }
  if (config.basicAuthFile) {
    const line = load(config.basicAuthFile, 'basicAuth').replace(/\r?\n$/, '')
    if (!line.includes(':') || line.includes('\n')) throw new SourceConfigError(msg('access.metricsSource.basicLine', { file: config.basicAuthFile }))
    headers.authorization = `Basic ${Buffer.from(line, 'utf8').toString('base64')}`
  }
  if (config.tenant) headers['x-scope-orgid'] = config.tenant
  const ca = config.caFile ? load(config.caFile, 'ca') : undefined
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new SourceConfigError(msg('access.metricsSource.notPem', { file: config.caFile! }))
  return ca !== undefined ? { headers, ca } : { headers }
}
