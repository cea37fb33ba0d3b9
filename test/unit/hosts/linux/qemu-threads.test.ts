import { describe, expect, it } from 'vitest'
import { qemuCores } from '../../../../src-main/collect/rates'
import { parseStatsOutput } from '../../../../src-main/hosts/libvirt/parse/stats-output'
import { parseQemuThreads, qemuThreadKind, taskLineOfStat, TICK_NS } from '../../../../src-main/hosts/linux/parse/qemu-threads'
import { sectionNamed, splitSections } from '../../../../src-main/hosts/linux/parse/sections'
import { STATS_FORMAT } from '../../../../src-main/hosts/libvirt/stats-script'
import { fixture, ok } from '../libvirt/fixture'

// Real answers of the resident stats session on lab host c1 (QEMU 7.2 TCG): c1-vm1 runs a busy
// loop, c1-vm2 idles; 10 s apart (test/fixtures/outputs/README.md).
const sample1 = fixture('virtpilot-lab/stats-threads-c1-sample1.txt')
const sample2 = fixture('virtpilot-lab/stats-threads-c1-sample2.txt')
const taskStats = fixture('virtpilot-lab/proc-task-stat-c1-vm1.txt')

function threadsSection(output: string): string {
  const split = ok(splitSections(output, STATS_FORMAT))
  const section = sectionNamed(split, 'qemu-threads')!
  return section.body
}

describe('QEMU thread kinds by the names QEMU and libvirt give them', () => {
  it.each([
    ['CPU 0/KVM', 20, 10, 'vcpu'],
    ['CPU 11/TCG', 20, 10, 'vcpu'],
    ['ALL CPUs/TCG', 20, 10, 'vcpu'],
    ['qemu-system-x86', 10, 10, 'emulator'],
    ['qemu-kvm', 10, 10, 'emulator'],
    ['IO mon_iothread', 12, 10, 'emulator'],
    ['IO iothread1', 13, 10, 'iothread'],
    ['vhost-4242', 14, 10, 'vhost'],
    ['worker', 15, 10, 'other'],
    ['qemu-system-x86', 16, 10, 'other'], // call_rcu keeps the process name on QEMU 7.2
    ['CPU 0/KVMx', 17, 10, 'other'],
  ])('%s (thread %i of process %i) is %s', (comm, tid, pid, kind) => {
    expect(qemuThreadKind(comm, tid, pid)).toBe(kind)
  })
})

describe('parseQemuThreads on real answers of a lab host', () => {
  it('finds both guests with their process, main loop, monitor, RCU and vCPU threads', () => {
    const report = ok(parseQemuThreads(threadsSection(sample1)))
    expect(report.notes).toEqual([])
    expect(report.vms.map((v) => v.name).sort()).toEqual(['c1-vm1', 'c1-vm2'])
    for (const vm of report.vms) {
      expect(vm.threads).toBeGreaterThanOrEqual(4)
      expect(vm.vcpuNs).toBeGreaterThan(0)
      // TCG runs guest code as QEMU's own: no guest time, no vhost, no iothread configured.
      expect(vm.guestNs).toBe(0)
      expect(vm.vhostNs).toBe(0)
      expect(vm.iothreadNs).toBe(0)
      expect(vm.vcpuNs + vm.emulatorNs + vm.iothreadNs + vm.vhostNs + vm.otherNs).toBe(vm.totalNs)
      expect(vm.totalNs % TICK_NS).toBe(0)
    }
  })

  it('the busy guest spends far more in its vCPU thread than the idle one; the rest is the overhead', () => {
    const ids = new Map([['c1-vm1', 'vm1'], ['c1-vm2', 'vm2']])
    const a = ok(parseStatsOutput(sample1, { hostId: 'c1', t: 0, vmIdOf: (n) => ids.get(n) }))
    const b = ok(parseStatsOutput(sample2, { hostId: 'c1', t: 10_000, vmIdOf: (n) => ids.get(n) }))
    const split = (id: string) => qemuCores(a.raw.vms.find((v) => v.vmId === id)!.qemu, b.raw.vms.find((v) => v.vmId === id)!.qemu, 10)
    const busy = split('vm1')
    const idle = split('vm2')
    // A TCG busy loop on this shared 2-core machine got about a quarter of a core while captured.
    expect(busy.qemuVcpuCores).toBeGreaterThan(0.15)
    expect(busy.qemuVcpuCores).toBeGreaterThan(4 * idle.qemuVcpuCores!)
    expect(busy.overheadCores).toBeLessThan(busy.qemuVcpuCores!)
    expect(busy.overheadCores).toBeGreaterThanOrEqual(0)
    expect(busy.overheadCores).toBeCloseTo(busy.qemuEmulatorCores! + busy.qemuIothreadCores! + busy.qemuVhostCores! + busy.qemuOtherCores!, 9)
    // The poll read each guest's threads: the extras carry the whole split.
    expect(b.vms.find((v) => v.vmId === 'vm1')!.qemuThreads!.pid).toBeGreaterThan(1)
  })

  it('reduces real /proc/PID/task/TID/stat lines the way the stats script does', () => {
    const lines = taskStats.split('\n').filter(Boolean)
    expect(lines.length).toBeGreaterThanOrEqual(4)
    const pid = Number(lines[0]!.split(' ')[0])
    const section = [`vm ${pid} c1-vm1`, taskLineOfStat('p', lines[0]!)!, ...lines.map((l) => taskLineOfStat('t', l)!)].join('\n')
    const vm = ok(parseQemuThreads(section)).vms[0]!
    expect(vm.pid).toBe(pid)
    expect(vm.threads).toBe(lines.length)
    // The vCPU line names itself as QEMU does under TCG.
    expect(lines.some((l) => l.includes('(CPU 0/TCG)'))).toBe(true)
    const vcpuLine = lines.find((l) => l.includes('(CPU 0/TCG)'))!
    const vcpu = vcpuLine.slice(vcpuLine.lastIndexOf(')') + 2).split(' ')
    expect(vm.vcpuNs).toBe((Number(vcpu[11]) + Number(vcpu[12])) * TICK_NS)
  })
})

describe('parseQemuThreads on odd and hostile input', () => {
  it('keeps a comm with spaces and parentheses whole', () => {
    // Fields 3 (state) to 44: utime 500 (14), stime 20 (15), guest_time 450 (43).
    const fields = ['R', ...Array<string>(10).fill('0'), '500', '20', ...Array<string>(27).fill('0'), '450', '0']
    expect(taskLineOfStat('t', `77 (CPU 0/KVM) )) ${fields.join(' ')}`)).toBe('t 77 500 20 450 CPU 0/KVM) )')
  })

  it('says why guests have no split instead of failing the poll', () => {
    const report = ok(parseQemuThreads('note unreadable /run/libvirt/qemu\n'))
    expect(report).toEqual({ vms: [], notes: ['unreadable /run/libvirt/qemu'] })
  })

  it('a guest whose process went away between listing and reading has no split', () => {
    const report = ok(parseQemuThreads('vm 4242 gone-guest\nvm 10 kept\np 10 5 5 0 qemu-system-x86\nt 10 5 5 0 qemu-system-x86\n'))
    expect(report.vms.map((v) => v.name)).toEqual(['kept'])
  })

  it('refuses a task line before any guest, or a process line of another process', () => {
    expect(parseQemuThreads('t 10 5 5 0 qemu-system-x86\n').ok).toBe(false)
    expect(parseQemuThreads('vm 10 a\np 11 5 5 0 qemu-system-x86\n').ok).toBe(false)
  })

  it('counts vhost kernel threads (before Linux 6.4) into the vhost share and the total', () => {
    const vm = ok(parseQemuThreads('vm 10 a\np 10 100 50 0 qemu-kvm\nt 10 20 10 0 qemu-kvm\nt 11 60 20 40 CPU 0/KVM\nk 99 0 30 0 vhost-10\n')).vms[0]!
    expect(vm.vhostNs).toBe(30 * TICK_NS)
    expect(vm.totalNs).toBe(180 * TICK_NS)
    expect(vm.guestNs).toBe(40 * TICK_NS)
    expect(vm.otherNs).toBe(40 * TICK_NS) // 150 - (80 vCPU + 30 main): threads that ended
  })
})

describe('qemuCores', () => {
  const base = { pid: 7, vcpuNs: 0, emulatorNs: 0, iothreadNs: 0, vhostNs: 0, otherNs: 0, totalNs: 0 }
  it('gives no split when the guest restarted (another process); a kind that went down adds nothing', () => {
    expect(qemuCores(base, { ...base, pid: 8, vcpuNs: 1e9, totalNs: 1e9 }, 1)).toEqual({})
    // An iothread removed live: its time moves to "other" (threads that ended).
    const moved = qemuCores({ ...base, iothreadNs: 5e9, totalNs: 5e9 }, { ...base, iothreadNs: 0, otherNs: 6e9, totalNs: 7e9 }, 1)
    expect(moved).toMatchObject({ qemuIothreadCores: 0, qemuOtherCores: 6, overheadCores: 2 })
  })
  it('gives no split over an interval in which threads were listed anew (a guest read while QEMU was starting)', () => {
    // First read: QEMU's main thread only, the vCPU's time counted in "other"; then the vCPU thread listed.
    const early = { ...base, emulatorNs: 1e9, otherNs: 3e9, totalNs: 4e9, threads: 1 }
    const listed = { ...base, vcpuNs: 5e9, emulatorNs: 1.1e9, otherNs: 0, totalNs: 6.1e9, threads: 3 }
    expect(qemuCores(early, listed, 1)).toEqual({})
    expect(qemuCores(listed, { ...listed, vcpuNs: 6e9, totalNs: 7.1e9 }, 1)).toMatchObject({ qemuVcpuCores: 1, overheadCores: 0 })
  })
  it('overhead is everything but the vCPU threads', () => {
    const c = qemuCores(base, { ...base, vcpuNs: 8e9, emulatorNs: 1e9, vhostNs: 1e9, totalNs: 10e9 }, 10)
    const expected = { qemuVcpuCores: 0.8, qemuEmulatorCores: 0.1, qemuIothreadCores: 0, qemuVhostCores: 0.1, qemuOtherCores: 0, overheadCores: 0.2 }
    expect(Object.keys(c).sort()).toEqual(Object.keys(expected).sort())
    for (const [k, v] of Object.entries(expected)) expect(c[k as keyof typeof c], k).toBeCloseTo(v, 9)
  })
})
