// Collection benchmark on a real host: what one poll costs the hypervisor host, next to what a
// Prometheus libvirt exporter scrape costs it, on the same host and guests, in the same run.
// A lab of its own (network namespace, sshd, libvirtd, QEMU guests; test/lab) with 1, 4 and 8
// guests; host CPU counted by the kernel per cgroup: everything the lab host's sshd starts for
// VirtPilot (sshd session, sh, virsh, awk, cat, ...), libvirtd on its own, the exporter on its own.
// Prints a table; asserts nothing. Needs root, the lab's packages (test/lab/README.md) and
// prometheus-libvirt-exporter; without them it says why and exits 0.
// Run: npx tsx test/bench/collection.ts   (part of `npm run bench`)
import { LibvirtAdapter } from '../../src-main/hosts/libvirt/adapter'
import { HostConnection } from '../../src-main/ssh/connection'
import { noPrompts } from '../../src-main/ssh/credentials'
import { KnownHostsStore } from '../../src-main/ssh/known-hosts-store'
import { resolveTarget } from '../../src-main/ssh/resolve'
import { parseTarget } from '../../src-main/ssh/target'
import { guestOf, startGuest, waitForBoot } from '../lab/guest'
import { startLab } from '../lab/lab'
import { stopLab } from '../lab/teardown'
import type { LabDescription, LabHost } from '../lab/description'
import { exporterProblem, Scraper, startExporter } from './exporter'
import { cpuAccountingProblem, cpuGroup, interfaceBytes, removeLeftoverGroups } from './host-cpu'

const BASE = '/tmp/virtpilot-bench-lab'
const LAB = { name: 'vpbench', hostPrefix: 'b', subnet: '10.202.0', base: BASE }
const GUESTS = [1, 4, 8]
/** Polls per round; rounds alternate the ways of reading so that load on the machine hits all alike. */
const POLLS = 25
const ROUNDS = 3
/** Pause between polls, so that each is read apart like real polls (10 s apart in the app). */
const GAP_MS = 100
/** What the issue compared with: one plain exec of virsh and two cat per poll. */
const PLAIN = 'virsh -c qemu:///system domstats --raw; cat /proc/stat; cat /proc/meminfo'

function connect(description: LabDescription, host: LabHost): HostConnection {
  const target = resolveTarget(parseTarget(`${host.ssh.user}@${host.ip}`), { home: '/nonexistent' })
  target.identityFiles = [host.ssh.privateKeyPath]
  target.proxyCommand = host.ssh.proxyCommandLine.replace('%h', host.ip).replace('%p', '22')
  return new HostConnection({ target, knownHosts: new KnownHostsStore(description.ssh.knownHostsPath, `${BASE}/bench_known_hosts`), onUnknownHostKey: async () => false, prompter: noPrompts, agentSocket: undefined })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface Measured {
  /** Host CPU ms per poll of each counted group. */
  cpu: Record<string, number>
  rawBytes: number
  wireBytes: number
  wallMs: number
}

/** Runs `once` POLLS times and returns per-poll figures: CPU of the groups, bytes, wall time. */
async function measure(groups: { name: string; usedMs: () => number }[], wirePid: number, once: () => Promise<number>): Promise<Measured> {
  const cpu0 = groups.map((g) => g.usedMs())
  const wire0 = interfaceBytes(wirePid)
  let raw = 0
  let wall = 0
  for (let i = 0; i < POLLS; i++) {
    const t0 = performance.now()
    raw += await once()
    wall += performance.now() - t0
    await sleep(GAP_MS)
  }
  const cpu = Object.fromEntries(groups.map((g, i) => [g.name, (g.usedMs() - cpu0[i]!) / POLLS]))
  return { cpu, rawBytes: raw / POLLS, wireBytes: (interfaceBytes(wirePid) - wire0) / POLLS, wallMs: wall / POLLS }
}

async function addGuests(description: LabDescription, host: LabHost, from: number, to: number): Promise<void> {
  const guests = []
  for (let j = from; j <= to; j++) {
    const guest = guestOf(BASE, { name: `${host.name}-vm${j}` })
    await startGuest(host.libvirt.uri, guest, description.guestImage)
    guests.push(guest)
  }
  await Promise.all(guests.map((g) => waitForBoot(g, 180_000)))
}

async function run(): Promise<Record<string, string | number>[]> {
  const description = await startLab({ ...LAB, hosts: 1, guests: GUESTS[0]!, log: () => {} })
  const host = description.hosts[0]!
  const sshd = cpuGroup('sshd')
  const libvirtd = cpuGroup('libvirtd')
  const exporterGroup = cpuGroup('exporter')
  const rows: Record<string, string | number>[] = []
  let exporter: Awaited<ReturnType<typeof startExporter>> | undefined
  let scraper: Scraper | undefined
  let connection: HostConnection | undefined
  try {
    // Before any connection: every sshd process of a VirtPilot connection is then in the group.
    sshd.add(host.pids.sshd)
    exporter = await startExporter(host.pids.sshd, host.ip)
    exporterGroup.add(exporter.pid)
    await sleep(500)
    scraper = new Scraper(description.network.hubNamespace, host.ip)
    connection = connect(description, host)
    await connection.connect()
    const conn = connection
    let running = GUESTS[0]!
    for (const guests of GUESTS) {
      if (guests > running) {
        // libvirtd stays out of its group while it starts QEMU, so that no guest lands in it.
        await addGuests(description, host, running + 1, guests)
        running = guests
      }
      libvirtd.add(host.pids.libvirtd)
      const adapter = new LibvirtAdapter(conn, host.name)
      await adapter.discover()
      await adapter.readStats(Date.now())
      await scraper.scrape()
      const ours: Measured[] = []
      const plain: Measured[] = []
      const scrapes: Measured[] = []
      for (let round = 0; round < ROUNDS; round++) {
        ours.push(
          await measure([sshd, libvirtd], host.pids.sshd, async () => {
            const before = adapter.statsBytes
            await adapter.readStats(Date.now())
            return adapter.statsBytes - before
          }),
        )
        plain.push(await measure([sshd, libvirtd], host.pids.sshd, async () => (await conn.execScript(PLAIN, 20_000)).bytes))
        scrapes.push(await measure([exporterGroup, libvirtd], host.pids.sshd, async () => (await scraper!.scrape()).rawBytes))
      }
      // Discovery runs when a poll shows a VM changed, else every 30 minutes: not per poll, shown apart.
      const discovery: number[] = []
      for (let i = 0; i < ROUNDS; i++) {
        const before = sshd.usedMs() + libvirtd.usedMs()
        await adapter.discover()
        discovery.push(sshd.usedMs() + libvirtd.usedMs() - before)
      }
      libvirtd.release(host.pids.libvirtd)
      const cpu = (ms: Measured[], group: string) => median(ms.map((m) => m.cpu[group]!))
      const oursTotal = median(ours.map((m) => m.cpu.sshd! + m.cpu.libvirtd!))
      const exporterTotal = median(scrapes.map((m) => m.cpu.exporter! + m.cpu.libvirtd!))
      const plainTotal = median(plain.map((m) => m.cpu.sshd! + m.cpu.libvirtd!))
      const kib = (b: number) => (b / 1024).toFixed(1)
      rows.push({
        guests,
        'VirtPilot poll ms (sshd side + libvirtd)': `${cpu(ours, 'sshd').toFixed(1)} + ${cpu(ours, 'libvirtd').toFixed(1)} = ${oursTotal.toFixed(1)}`,
        'plain ssh+virsh+2 cat ms': `${cpu(plain, 'sshd').toFixed(1)} + ${cpu(plain, 'libvirtd').toFixed(1)} = ${plainTotal.toFixed(1)}`,
        'exporter scrape ms (exporter + libvirtd)': `${cpu(scrapes, 'exporter').toFixed(1)} + ${cpu(scrapes, 'libvirtd').toFixed(1)} = ${exporterTotal.toFixed(1)}`,
        'ratio VirtPilot/exporter': (oursTotal / exporterTotal).toFixed(2),
        'VirtPilot KiB/poll raw / wire': `${kib(median(ours.map((m) => m.rawBytes)))} / ${kib(median(ours.map((m) => m.wireBytes)))}`,
        'exporter KiB/scrape raw / wire': `${kib(median(scrapes.map((m) => m.rawBytes)))} / ${kib(median(scrapes.map((m) => m.wireBytes)))}`,
        'VirtPilot poll wall ms': median(ours.map((m) => m.wallMs)).toFixed(0),
        'discovery ms (on change, else every 30 min)': median(discovery).toFixed(0),
      })
    }
  } finally {
    scraper?.close()
    connection?.close()
    await exporter?.stop().catch((error: Error) => console.log(error.message))
    await stopLab({ base: BASE, log: () => {} })
    for (const group of [sshd, libvirtd, exporterGroup]) await group.remove().catch((error: Error) => console.log(`could not remove cgroup ${group.name}: ${error.message}`))
  }
  return rows
}

async function main() {
  if (process.getuid?.() !== 0) {
    console.log('collection bench skipped: needs root to start its lab (test/lab/README.md)')
    return
  }
  const missing = cpuAccountingProblem() ?? exporterProblem()
  if (missing) {
    console.log(`collection bench skipped: ${missing}`)
    return
  }
  await removeLeftoverGroups()
  try {
    const rows = await run()
    console.log(`\nHost CPU per poll on one lab host (median of ${ROUNDS} rounds of ${POLLS} polls, ${GAP_MS} ms apart; cgroup CPU time)`)
    console.table(rows)
  } catch (error) {
    console.log(`collection bench could not run: ${(error as Error).message}`)
    await stopLab({ base: BASE, log: () => {} }).catch(() => undefined)
  }
}

await main()
