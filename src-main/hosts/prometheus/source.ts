import { readFileSync } from 'node:fs'

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

export class SourceConfigError extends Error {
  override name = 'SourceConfigError'
}

/** The store's base URL (no trailing slash) from what the admin typed. */
export function storeBaseUrl(text: string): URL {
  const trimmed = text.trim()
  const plain = trimmed.replace(/^prometheus\+/i, '')
  let url: URL
  try {
    url = new URL(plain)
  } catch {
    throw new SourceConfigError(`"${trimmed}" is not a store address: write prometheus+http://HOST:PORT (or prometheus+https://HOST:PORT/PATH for Thanos, Mimir's /prometheus, VictoriaMetrics)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SourceConfigError(`"${trimmed}": only http and https stores are supported (prometheus+http:// or prometheus+https://)`)
  if (url.username || url.password) throw new SourceConfigError(`"${trimmed}": put credentials in a file and pass --basic-auth-file or --bearer-token-file, not in the address`)
  if (url.search || url.hash) throw new SourceConfigError(`"${trimmed}": the address takes no query or fragment`)
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
  const load = (file: string, what: string) => {
    try {
      return read(file)
    } catch (error) {
      throw new SourceConfigError(`cannot read the ${what} file ${file}: ${(error as Error).message}`)
    }
  }
  if (config.bearerTokenFile && config.basicAuthFile) throw new SourceConfigError('give either a bearer token file or a basic auth file, not both')
  if (config.bearerTokenFile) {
    const token = load(config.bearerTokenFile, 'bearer token').trim()
    if (!token || /\s/.test(token)) throw new SourceConfigError(`${config.bearerTokenFile} should hold one token on one line`)
    headers.authorization = `Bearer ${token}`
  }
  if (config.basicAuthFile) {
    const line = load(config.basicAuthFile, 'basic auth').replace(/\r?\n$/, '')
    if (!line.includes(':') || line.includes('\n')) throw new SourceConfigError(`${config.basicAuthFile} should hold one line: user:password`)
    headers.authorization = `Basic ${Buffer.from(line, 'utf8').toString('base64')}`
  }
  if (config.tenant) headers['x-scope-orgid'] = config.tenant
  const ca = config.caFile ? load(config.caFile, 'CA certificate') : undefined
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new SourceConfigError(`${config.caFile} is not a PEM certificate`)
  return ca !== undefined ? { headers, ca } : { headers }
}
