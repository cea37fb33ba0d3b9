// What the Overview's start loads, by package: builds the renderer with source maps into a
// temporary folder, takes the chunks index.html loads (its entry and modulepreloads, which are the
// app chunk's static imports) and attributes every byte of minified code to the module it came
// from (the source map's segments), summed per package. Prints a table; asserts nothing.
// Run: npx tsx test/bench/start-bytes.ts [--detail naive-ui,echarts,...] [--keep]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync } from 'node:zlib'
import { decode } from '@jridgewell/sourcemap-codec'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const args = process.argv.slice(2)
/** --detail naive-ui,echarts:2 breaks those packages down by folder (two levels deep for echarts). */
const detail = new Map(
  (args.includes('--detail') ? (args[args.indexOf('--detail') + 1] ?? '').split(',').filter(Boolean) : []).map((d) => [d.split(':')[0]!, Number(d.split(':')[1] ?? 1)]),
)

const outDir = mkdtempSync(join(tmpdir(), 'virtpilot-start-bytes-'))
try {
  execFileSync(join(repoRoot, 'node_modules/.bin/electron-vite'), ['build', '--sourcemap', '--outDir', outDir], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] })
  const renderer = join(outDir, 'renderer')
  const html = readFileSync(join(renderer, 'index.html'), 'utf8')
  const chunks = [...html.matchAll(/<(?:script type="module"|link rel="modulepreload")[^>]*(?:src|href)="\.\/([^"]+\.js)"/g)].map((m) => m[1]!)
  if (chunks.length === 0) throw new Error('index.html names no scripts')

  /** A source's package, or its folder in the repo; and for the --detail packages, the package's folder too. */
  const groupsOf = (source: string): [string, string | undefined] => {
    const path = resolve(renderer, 'assets', source.split('?')[0]!)
    const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path)
    if (inPackage) {
      const [, name, rest] = inPackage as unknown as [string, string, string]
      const parts = rest.split('/').filter((p) => !['es', 'lib', 'esm', 'dist', 'src'].includes(p))
      const depth = detail.get(name)
      return [name, depth ? `${name}/${parts.length > 1 ? parts.slice(0, Math.min(depth, parts.length - 1)).join('/') : '(top)'}` : undefined]
    }
    const folders = relative(repoRoot, path).split('/')
    return [folders.length > 2 ? folders.slice(0, 2).join('/') : folders.join('/'), undefined]
  }
  const cache = new Map<string, [string, string | undefined]>()
  const grouped = (source: string) => cache.get(source) ?? cache.set(source, groupsOf(source)).get(source)!

  const bytes = new Map<string, number>()
  const detailBytes = new Map<string, number>()
  let total = 0
  let brotli = 0
  const perChunk: [string, number, number][] = []
  for (const chunk of chunks) {
    const code = readFileSync(join(renderer, chunk), 'utf8')
    // The bundler's own runtime chunk comes without a map.
    const map = existsSync(join(renderer, `${chunk}.map`))
      ? (JSON.parse(readFileSync(join(renderer, `${chunk}.map`), 'utf8')) as { sources: string[]; mappings: string })
      : { sources: [], mappings: '' }
    const decoded = decode(map.mappings)
    code.split('\n').forEach((text, line) => {
      const segments = decoded[line] ?? []
      let last = 0
      let lastSource: [string, string | undefined] = ['(no source)', undefined]
      const add = ([group, folder]: [string, string | undefined], n: number) => {
        bytes.set(group, (bytes.get(group) ?? 0) + n)
        if (folder) detailBytes.set(folder, (detailBytes.get(folder) ?? 0) + n)
      }
      for (const segment of segments) {
        const column = segment[0]
        add(lastSource, Buffer.byteLength(text.slice(last, column)))
        last = column
        lastSource = segment.length > 1 ? grouped(map.sources[segment[1]!]!) : ['(no source)', undefined]
      }
      add(lastSource, Buffer.byteLength(text.slice(last)) + 1)
    })
    const size = Buffer.byteLength(code)
    const compressed = brotliCompressSync(code).length
    total += size
    brotli += compressed
    perChunk.push([chunk, size, compressed])
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`
  const rows = [...bytes].sort((a, b) => b[1] - a[1])
  const width = Math.max(...rows.map(([g]) => g.length), ...[...detailBytes.keys()].map((g) => g.length), ...perChunk.map(([c]) => c.length))
  console.log(`\nStart chunks (index.html's entry and modulepreloads): ${kb(total)} minified, ${kb(brotli)} brotli`)
  for (const [chunk, size, compressed] of perChunk) console.log(`| ${chunk.padEnd(width)} | ${kb(size).padStart(10)} | ${kb(compressed).padStart(10)} brotli`)
  console.log(`\nBy package (minified bytes from the source maps)`)
  for (const [group, n] of rows) if (n >= 512) console.log(`| ${group.padEnd(width)} | ${kb(n).padStart(10)} | ${((100 * n) / total).toFixed(1).padStart(5)} %`)
  console.log(`| ${'(smaller ones)'.padEnd(width)} | ${kb(rows.filter(([, n]) => n < 512).reduce((s, [, n]) => s + n, 0)).padStart(10)} |`)
  for (const name of detail.keys()) {
    const folders = [...detailBytes].filter(([folder]) => folder.startsWith(`${name}/`)).sort((a, b) => b[1] - a[1])
    console.log(`\n${name} by folder (the largest 20 of ${folders.length})`)
    for (const [folder, n] of folders.slice(0, 20)) console.log(`| ${folder.padEnd(width)} | ${kb(n).padStart(10)} |`)
  }
  console.log('')
} finally {
  if (!args.includes('--keep')) rmSync(outDir, { recursive: true, force: true })
  else console.log(`build kept in ${outDir}`)
}
