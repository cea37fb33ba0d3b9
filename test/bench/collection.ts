// Collection benchmark on real hosts: a lab of its own (network namespaces, sshd, libvirtd, QEMU
// guests), read the way VirtPilot reads hosts. Prints tables; asserts nothing. Needs root and
// the lab's packages (test/lab/README.md); without them it says why and exits 0.
// Run: npx tsx test/bench/collection.ts   (part of `npm run bench`)
import { parseStatsOutput } from '../../src-main/hosts/libvirt/parse/stats-output'
import { LibvirtAdapter } from '../../src-main/hosts/libvirt/adapter'
import { STATS_SCRIPT } from '../../src-main/hosts/libvirt/stats-script'
import { HostConnection } from '../../src-main/ssh/connection'
import { noPrompts } from '../../src-main/ssh/credentials'
import { KnownHostsStore } from '../../src-main/ssh/known-hosts-store'
import { resolveTarget } from '../../src-main/ssh/resolve'
import { parseTarget } from '../../src-main/ssh/target'
import { startLab } from '../lab/lab'
import { stopLab } from '../lab/teardown'
import type { LabDescription, LabHost } from '../lab/description'

const BASE = '/tmp/virtpilot-bench-lab'
const POLLS = 10
const lab = { name: 'vpbench', hostPrefix: 'b', subnet: '10.202.0', base: BASE }

/** What a collector without a single script would do: one exec per source, as many tools do. */
const NAIVE = [
  ['virsh', '-c', 'qemu:///system', 'domstats', '--raw'],
  ['cat', '/proc/stat'],
  ['cat', '/proc/meminfo'],
  ['cat', '/proc/vmstat'],
  ['cat', '/proc/pressure/cpu'],
  ['cat', '/proc/pressure/memory'],
  ['cat', '/proc/pressure/io'],
  ['cat', '/proc/diskstats'],
  ['cat', '/proc/net/dev'],
  ['cat', '/proc/loadavg'],
  ['cat', '/proc/uptime'],
]

function connect(description: LabDescription, host: LabHost): HostConnection {
  const target = resolveTarget(parseTarget(`${host.ssh.user}@${host.ip}`), { home: '/nonexistent' })
  target.identityFiles = [host.ssh.privateKeyPath]
  target.proxyCommand = host.ssh.proxyCommandLine.replace('%h', host.ip).replace('%p', '22')
  return new HostConnection({ target, knownHosts: new KnownHostsStore(description.ssh.knownHostsPath, `${BASE}/bench_known_hosts`), onUnknownHostKey: async () => false, prompter: noPrompts, agentSocket: undefined })
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(0.95 * xs.length) - 1)]!

async function scenario(hosts: number, guests: number) {
  const description = await startLab({ ...lab, hosts, guests, log: () => {} })
  try {
    const rows = []
    const conns = description.hosts.map((h) => connect(description, h))
    await Promise.all(conns.map((c) => c.connect()))
    const adapters = conns.map((c, i) => new LibvirtAdapter(c, description.hosts[i]!.name))
    await Promise.all(adapters.map((a) => a.discover()))
    // VirtPilot: one script per host per poll, all hosts in parallel.
    const wall: number[] = []
    const parseMsPerVm: number[] = []
    let bytes = 0
    const execsBefore = conns.reduce((s, c) => s + c.execCount, 0)
    for (let i = 0; i < POLLS; i++) {
      const t0 = performance.now()
      const outputs = await Promise.all(conns.map((c) => c.execScript(STATS_SCRIPT, 20_000)))
      wall.push(performance.now() - t0)
      for (const [j, out] of outputs.entries()) {
        bytes += out.bytes
        const p0 = performance.now()
        parseStatsOutput(out.stdout, { hostId: description.hosts[j]!.name, t: Date.now(), vmIdOf: (n) => n })
        parseMsPerVm.push((performance.now() - p0) / Math.max(1, guests))
      }
    }
    const execs = (conns.reduce((s, c) => s + c.execCount, 0) - execsBefore) / POLLS / hosts
    rows.push({ way: 'VirtPilot (1 script)', wall, execs, bytes: bytes / POLLS / hosts, parseMsPerVm })
    // Baseline in the same process: one exec per source.
    const naiveWall: number[] = []
    let naiveBytes = 0
    const naiveBefore = conns.reduce((s, c) => s + c.execCount, 0)
    for (let i = 0; i < POLLS; i++) {
      const t0 = performance.now()
      const outs = await Promise.all(conns.map(async (c) => Promise.all(NAIVE.map((argv) => c.exec(argv)))))
      naiveWall.push(performance.now() - t0)
      naiveBytes += outs.flat().reduce((s, o) => s + o.bytes, 0)
    }
    const naiveExecs = (conns.reduce((s, c) => s + c.execCount, 0) - naiveBefore) / POLLS / hosts
    rows.push({ way: 'one exec per source', wall: naiveWall, execs: naiveExecs, bytes: naiveBytes / POLLS / hosts, parseMsPerVm: [] as number[] })
    for (const c of conns) c.close()
    return rows.map((r) => ({
      'hosts x VMs': `${hosts} x ${guests}`,
      way: r.way,
      'poll wall ms (mean)': mean(r.wall).toFixed(1),
      'poll wall ms (p95)': p95(r.wall).toFixed(1),
      'ratio vs baseline': (mean(r.wall) / mean(naiveWall)).toFixed(2),
      'execs/poll/host': r.execs.toFixed(1),
      'KiB/poll/host': (r.bytes / 1024).toFixed(1),
      'parse µs/VM': r.parseMsPerVm.length ? (mean(r.parseMsPerVm) * 1000).toFixed(0) : '-',
    }))
  } finally {
    await stopLab({ base: BASE, log: () => {} })
  }
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.log('collection bench skipped: needs root to start its lab (test/lab/README.md)')
    return
  }
  const table = []
  for (const [hosts, guests] of [[1, 1], [3, 1], [3, 3]] as const) {
    try {
      table.push(...(await scenario(hosts, guests)))
    } catch (error) {
      console.log(`collection bench: ${hosts} x ${guests} could not run: ${(error as Error).message}`)
      await stopLab({ base: BASE, log: () => {} }).catch(() => undefined)
    }
  }
  console.log(`\nCollection over SSH on the bench lab (${POLLS} polls each; all hosts polled in parallel)`)
  console.table(table)
}

await main()
