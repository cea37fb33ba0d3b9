import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readFile, readdir, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants as zlib, gzip } from 'node:zlib'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
}

/** Text is worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg'])
/** Below this a compressed body saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 1024
/** Vite names built assets `<name>-<8-character hash>.<ext>`: their content never changes under that name. */
const HASHED_ASSET = /^assets\/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/
/** Cookie-authenticated, so private; a hashed name changes with its content, so it never needs revalidating. */
const IMMUTABLE = 'private, max-age=31536000, immutable'
/** index.html names the current assets: always ask again (a 304 when unchanged). */
const REVALIDATE = 'no-cache'

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

export interface StaticFile {
  body: Buffer
  type: string
  /** Path inside the renderer folder, with forward slashes. */
  relative: string
}

/** A file's bytes, its compressed forms and its validator, kept for the life of the server. */
interface Prepared {
  body: Buffer
  etag: string
  br?: Buffer
  gzip?: Buffer
}

const prepared = new Map<string, Promise<Prepared>>()

async function prepare(file: string, body: Buffer): Promise<Prepared> {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
  if (!COMPRESSIBLE.has(extname(file)) || body.length < MIN_COMPRESS_BYTES) return { body, etag }
  // Brotli quality 5: within 10 % of quality 11's size at a twentieth of its time (once per file).
  const [br, gz] = await Promise.all([brotli(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }), gzipAsync(body, { level: 9 })])
  return { body, etag, br, gzip: gz }
}

/** The prepared form of a file, made once; a file whose size or time changed (a rebuild) is prepared again. */
async function preparedFor(file: string, body: Buffer): Promise<Prepared> {
  const info = await stat(file)
  const key = `${file}|${info.size}|${info.mtimeMs}`
  let entry = prepared.get(key)
  if (!entry) {
    entry = prepare(file, body)
    prepared.set(key, entry)
  }
  return entry
}

/** A file of the built renderer for a URL path, never anything outside `root`; unknown paths get index.html. */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '')
  const file = join(root, relative)
  if (file !== root && !file.startsWith(root + sep)) return undefined
  const target = (await isFile(file)) ? file : join(root, 'index.html')
  if (!(await isFile(target))) return undefined
  return { body: await readFile(target), type: TYPES[extname(target)] ?? 'application/octet-stream', relative: target.slice(root.length + 1).split(sep).join('/') }
}

/** br, gzip or none, in the order the browser accepts them (q=0 refuses). */
function encodingFor(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || Number(q.trim().replace(/^q=/, '')) > 0)
      .map(([name]) => name!.trim().toLowerCase()),
  )
  if (accepted.has('br')) return 'br'
  if (accepted.has('gzip')) return 'gzip'
  return undefined
}

/**
 * Sends a static file compressed (brotli or gzip, as the browser accepts), with an ETag, and
 * cached: hashed assets for a year without revalidation, index.html revalidated every time.
 */
export async function sendStaticFile(req: IncomingMessage, res: ServerResponse, root: string, file: StaticFile, headers: Record<string, string>): Promise<void> {
  const ready = await preparedFor(join(root, file.relative), file.body)
  const cacheControl = HASHED_ASSET.test(file.relative) ? IMMUTABLE : REVALIDATE
  const common = { ...headers, 'Cache-Control': cacheControl, ETag: ready.etag, Vary: 'Accept-Encoding' }
  if (req.headers['if-none-match'] === ready.etag) {
    res.writeHead(304, common)
    res.end()
    return
  }
  const encoding = encodingFor(req.headers['accept-encoding'])
  const body = (encoding && ready[encoding]) || ready.body
  res.writeHead(200, {
    ...common,
    'Content-Type': file.type,
    'Content-Length': String(body.length),
    ...(body !== ready.body && encoding ? { 'Content-Encoding': encoding } : {}),
  })
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** Compresses every file of the renderer ahead of the first request, so the first page load does not wait for it. */
export async function warmStaticFiles(root: string): Promise<void> {
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]))))
    return nested.flat()
  }
  for (const file of await walk(root)) {
    if (!COMPRESSIBLE.has(extname(file))) continue
    await preparedFor(file, await readFile(file)).catch(() => undefined)
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
