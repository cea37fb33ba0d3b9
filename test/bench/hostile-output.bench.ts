import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, test } from 'vitest'
import { parseXml } from '../../src-main/hosts/libvirt/parse/xml'
import { parseDomstats } from '../../src-main/hosts/libvirt/parse/domstats'
import { parseCpuinfoSummary } from '../../src-main/hosts/linux/parse/host-tuning'
import { splitSections } from '../../src-main/hosts/linux/parse/sections'
import { parseStatsOutput } from '../../src-main/hosts/libvirt/parse/stats-output'
import { parseQemuConfFile, parseClusterResources } from '../../src-main/hosts/proxmox/parse'
import { parseStorageCfg } from '../../src-main/hosts/proxmox/storage'

// Host output a compromised host could send: one 1 MiB line made to make regexes backtrack. The
// target is under 100 ms per parse; the baseline is one linear pass over the same text
// (split at every non-alphanumeric character), run here too, so the ratio is what matters.

const outputs = fileURLToPath(new URL('../fixtures/outputs/', import.meta.url))
const stats = readFileSync(outputs + 'virtpilot-lab/stats-h1-sample1.txt', 'utf8')
const MiB = 1024 * 1024
const line = (start: string, unit: string, end: string) => start + unit.repeat(Math.ceil(MiB / unit.length)) + end

const cases: [string, (text: string) => unknown, string][] = [
  ['/proc/cpuinfo: spaces, no colon', parseCpuinfoSummary, line('', ' ', 'x')],
  ['qemu-server .conf: value, spaces, value', (t) => parseQemuConfFile(t), line('name: web', ' ', 'x')],
  ['storage.cfg: option, spaces, value', (t) => parseStorageCfg(`dir: local\n${t}\n`), line('\tpath', ' ', 'x')],
  ['domstats: a field of spaces', (t) => parseDomstats(`Domain: 'a'\n${t}\n`), line('  ', ' ', '=1')],
  ['XML: character references', (t) => parseXml(`<a>${t}</a>`, 'x'), line('', '&#', '')],
  ['pvesh JSON: nesting', parseClusterResources, line('', '[', '')],
  ['script sections: marker-like lines', (t) => splitSections(`@@VP n START discover-1\n${t}\n`, 'discover-1'), line('@@VP ', 'n ', '')],
  ['a whole poll with one long line', (t) => parseStatsOutput(stats.replace('BEGIN loadavg\n', `BEGIN loadavg\n${t}\n`), { hostId: 'h', t: 0, vmIdOf: () => undefined }), line('', '0 ', 'x')],
]

function best(run: () => unknown, times = 5): number {
  let min = Infinity
  for (let i = 0; i < times; i++) {
    const t0 = performance.now()
    run()
    min = Math.min(min, performance.now() - t0)
  }
  return min
}

test('hostile 1 MiB lines through the host output parsers', () => undefined)

afterAll(() => {
  console.table(
    cases.map(([name, parse, text]) => {
      const ms = best(() => parse(text))
      const baseline = best(() => text.split(/[^A-Za-z0-9]/).length)
      return { 'parser and input': name, 'ms per 1 MiB line': Number(ms.toFixed(1)), 'target ms': 100, 'baseline ms': Number(baseline.toFixed(1)), 'x baseline': Number((ms / baseline).toFixed(3)) }
    }),
  )
})
