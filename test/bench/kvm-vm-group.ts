// What asking domstats for KVM's VM-wide counters (`--vm`: remote TLB flushes) costs a host per poll:
// one lab host with two TCG guests and the opt-in KVM guest (test/lab/kvm-guest.ts), two resident
// stats sessions on one SSH connection, one asking with --vm and one without, polled in alternating
// rounds so that the machine's load hits both alike. Host CPU counted by the kernel per cgroup
// (everything sshd starts for the sessions: sh, virsh, awk; libvirtd on its own, which asks QEMU
// for query-stats). Prints a table with the ratio; asserts nothing. Needs root and /dev/kvm.
// Run: flock /tmp/virtpilot-lab.lock npx tsx test/bench/kvm-vm-group.ts
import { loadavg } from 'node:os'
import { STATS_SCRIPT, statsRequest } from '../../src-main/hosts/libvirt/stats-script'
import { StatsSession } from '../../src-main/hosts/linux/stats-session'
import { HostConnection } from '../../src-main/ssh/connection'
import { noPrompts } from '../../src-main/ssh/credentials'
import { KnownHostsStore } from '../../src-main/ssh/known-hosts-store'
import { resolveTarget } from '../../src-main/ssh/resolve'
import { parseTarget } from '../../src-main/ssh/target'
import { kvmGuestOf, kvmMissing, removeKvmGuest, startKvmGuest, waitForFirmwareIdle } from '../lab/kvm-guest'
import { startLab } from '../lab/lab'
import { stopLab } from '../lab/teardown'
import { cpuAccountingProblem, cpuGroup, removeLeftoverGroups } from './host-cpu'

const BASE = '/tmp/virtpilot-kvmvm-bench-lab'
const POLLS = 25
const ROUNDS = 4
const GAP_MS = 100

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function run(): Promise<void> {
  const lab = await startLab({ name: 'vpkvmvm', hostPrefix: 'q', subnet: '10.207.0', base: BASE, hosts: 1, guests: 2, log: () => {} })
  const host = lab.hosts[0]!
  const guest = kvmGuestOf(BASE, `${host.name}-kvm`)
  const sshd = cpuGroup('sshd')
  const libvirtd = cpuGroup('libvirtd')
  let connection: HostConnection | undefined
  const sessions: StatsSession[] = []
  try {
    await startKvmGuest(host.libvirt.uri, guest)
    await waitForFirmwareIdle(guest)
    sshd.add(host.pids.sshd)
    libvirtd.add(host.pids.libvirtd)
    const target = resolveTarget(parseTarget(`${host.ssh.user}@${host.ip}`), { home: '/nonexistent' })
    target.identityFiles = [host.ssh.privateKeyPath]
    target.proxyCommand = host.ssh.proxyCommandLine.replace('%h', host.ip).replace('%p', '22')
    connection = new HostConnection({ target, knownHosts: new KnownHostsStore(lab.ssh.knownHostsPath, `${BASE}/bench_known_hosts`), onUnknownHostKey: async () => false, prompter: noPrompts, agentSocket: undefined })
    await connection.connect()
    const ways = [
      { name: 'with --vm', vmGroup: true },
      { name: 'without --vm', vmGroup: false },
    ].map((w) => ({ ...w, session: new StatsSession(connection!, STATS_SCRIPT), cpuMs: [] as number[], libvirtdMs: [] as number[], bytes: [] as number[], remote: 0 }))
    for (const w of ways) {
      sessions.push(w.session)
      const first = await w.session.read((nonce) => statsRequest(nonce, { schedstat: false, vmGroup: w.vmGroup }), 20_000)
      w.remote = (first.match(/^ {2}vm\.remote_tlb_flush\.sum=/gm) ?? []).length
    }
    const load0 = loadavg()[0]!
    for (let round = 0; round < ROUNDS; round++) {
      for (const w of round % 2 === 0 ? ways : [...ways].reverse()) {
        const s0 = sshd.usedMs()
        const l0 = libvirtd.usedMs()
        const b0 = w.session.bytes
        for (let i = 0; i < POLLS; i++) {
          await w.session.read((nonce) => statsRequest(nonce, { schedstat: false, vmGroup: w.vmGroup }), 20_000)
          await sleep(GAP_MS)
        }
        w.cpuMs.push((sshd.usedMs() - s0) / POLLS)
        w.libvirtdMs.push((libvirtd.usedMs() - l0) / POLLS)
        w.bytes.push((w.session.bytes - b0) / POLLS)
      }
    }
    const total = (w: (typeof ways)[number]) => median(w.cpuMs.map((c, i) => c + w.libvirtdMs[i]!))
    console.log(`\nHost CPU per poll, one lab host with 2 TCG guests + 1 KVM guest (median of ${ROUNDS} rounds of ${POLLS} polls, ${GAP_MS} ms apart; cgroup CPU time); load average ${load0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`)
    console.table(
      ways.map((w) => ({
        domstats: w.name,
        'sshd side ms': median(w.cpuMs).toFixed(2),
        'libvirtd ms': median(w.libvirtdMs).toFixed(2),
        'total ms': total(w).toFixed(2),
        'bytes/poll (resident, deltas)': median(w.bytes).toFixed(0),
        'domains with vm.remote_tlb_flush': w.remote,
      })),
    )
    console.log(`ratio with/without --vm: host CPU ${(total(ways[0]!) / total(ways[1]!)).toFixed(3)}, bytes ${(median(ways[0]!.bytes) / median(ways[1]!.bytes)).toFixed(3)}`)
  } finally {
    for (const s of sessions) s.close()
    connection?.close()
    await removeKvmGuest(host.libvirt.uri, guest).catch((error: Error) => console.log(error.message))
    await stopLab({ base: BASE, log: () => {} })
    for (const group of [sshd, libvirtd]) await group.remove().catch((error: Error) => console.log(`could not remove cgroup ${group.name}: ${error.message}`))
  }
}

async function main() {
  const missing = process.getuid?.() !== 0 ? 'needs root to start its lab (test/lab/README.md)' : (cpuAccountingProblem() ?? (await kvmMissing()))
  if (missing) {
    console.log(`kvm --vm bench skipped: ${missing}`)
    return
  }
  await removeLeftoverGroups()
  await run()
}

await main()
