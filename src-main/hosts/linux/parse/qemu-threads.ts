import { escapeUnsafe, nameFromHost } from '../../../../shared/text/control'
import { msg } from '../../../../shared/i18n'
import { failed, linesOf, parsed, unexpectedLine, type Parsed } from './result'

/** USER_HZ: /proc/PID/stat counts CPU time in 1/100 s on every Linux the stats scripts run on. */
export const TICK_NS = 10_000_000

/**
 * What a QEMU thread does, from the name QEMU gives it (with debug-threads=on, as libvirt and
 * Proxmox VE start it): a vCPU ("CPU 0/KVM", "CPU 1/TCG"), the main loop (the thread whose id is
 * the process id, and the QMP monitor's "IO mon_iothread"), an iothread the admin configured
 * ("IO iothread1"), a vhost worker ("vhost-PID", a kernel thread before Linux 6.4) or anything else
 * (the block layer's "worker" pool, call_rcu, VNC/SPICE, migration).
 */
export type QemuThreadKind = 'vcpu' | 'emulator' | 'iothread' | 'vhost' | 'other'

export function qemuThreadKind(comm: string, tid: number, pid: number): QemuThreadKind {
  if (/^CPU \d+\/(KVM|TCG|HVF|WHPX|NVMM)$/.test(comm) || comm === 'ALL CPUs/TCG') return 'vcpu'
  if (/^vhost-\d+$/.test(comm)) return 'vhost'
  if (tid === pid || comm === 'IO mon_iothread') return 'emulator'
  if (comm.startsWith('IO ')) return 'iothread'
  return 'other'
}

/** One QEMU process's CPU time split by what its threads do, cumulative ns since it started. */
export interface QemuThreadTimes {
  pid: number
  /** The guest's name as its pid file names it (escaped as domstats escapes it). */
  name: string
  vcpuNs: number
  emulatorNs: number
  iothreadNs: number
  vhostNs: number
  /** Everything else, threads that have ended included: the process total minus the threads above. */
  otherNs: number
  /** The whole process plus its vhost kernel threads. */
  totalNs: number
  /** Time the vCPU threads ran guest code (KVM; 0 under TCG, which runs guest code as QEMU's own). */
  guestNs: number
  threads: number
}

export interface QemuThreadsReport {
  vms: QemuThreadTimes[]
  /** Why some guests have no split (pid folder missing or unreadable), as the host said it. */
  notes: string[]
}

interface Task {
  kind: 'p' | 't' | 'k'
  tid: number
  ticks: number
  guestTicks: number
  comm: string
}

/**
 * A task line of the qemu-threads section: `<p|t|k> <tid> <utime> <stime> <guest_time> <comm>`,
 * the fields of /proc/PID/stat (14, 15, 43 and 2) the stats script keeps.
 */
function parseTask(l: string): Task | undefined {
  const m = /^([ptk]) (\d+) (\d+) (\d+) (\d*) (.*)$/s.exec(l)
  if (!m) return undefined
  return { kind: m[1] as Task['kind'], tid: Number(m[2]), ticks: Number(m[3]) + Number(m[4]), guestTicks: Number(m[5] || 0), comm: m[6]! }
}

/**
 * A full /proc/PID/stat or /proc/PID/task/TID/stat line as the kernel prints it, reduced to the
 * task line the stats script sends (the script does the same cut in awk).
 */
export function taskLineOfStat(kind: 'p' | 't' | 'k', stat: string): string | undefined {
  const open = stat.indexOf('(')
  const close = stat.lastIndexOf(')')
  if (open < 2 || close < open) return undefined
  const f = stat.slice(close + 2).trim().split(/\s+/)
  // f[0] is field 3 (state): field n is f[n - 3].
  if (f.length < 13) return undefined
  return `${kind} ${stat.slice(0, open - 1)} ${f[11]} ${f[12]} ${f[40] ?? ''} ${stat.slice(open + 1, close)}`
}

/** The qemu-threads section of a libvirt or Proxmox VE stats answer. */
export function parseQemuThreads(text: string, section = 'qemu-threads', firstLine = 1): Parsed<QemuThreadsReport> {
  const vms: QemuThreadTimes[] = []
  const notes: string[] = []
  let current: { pid: number; name: string; process?: Task; tasks: Task[] } | undefined
  const finish = () => {
    if (!current?.process) return
    const { pid, name, process, tasks } = current
    const sums = { vcpu: 0, emulator: 0, iothread: 0, vhost: 0, other: 0 }
    let guest = 0
    let kernelVhost = 0
    for (const t of tasks) {
      const kind = t.kind === 'k' ? 'vhost' : qemuThreadKind(t.comm, t.tid, pid)
      if (t.kind === 'k') kernelVhost += t.ticks
      sums[kind] += t.ticks
      if (kind === 'vcpu') guest += t.guestTicks
    }
    // Threads that ended (a worker pool's) count in the process total but not in any thread line.
    const named = sums.vcpu + sums.emulator + sums.iothread + (sums.vhost - kernelVhost)
    const other = Math.max(0, process.ticks - named)
    vms.push({
      pid,
      name,
      vcpuNs: sums.vcpu * TICK_NS,
      emulatorNs: sums.emulator * TICK_NS,
      iothreadNs: sums.iothread * TICK_NS,
      vhostNs: sums.vhost * TICK_NS,
      otherNs: other * TICK_NS,
      totalNs: (process.ticks + kernelVhost) * TICK_NS,
      guestNs: guest * TICK_NS,
      threads: tasks.filter((t) => t.kind === 't').length,
    })
  }
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l === '') continue
    const vm = /^vm (\d+) (.+)$/s.exec(l)
    if (vm) {
      finish()
      current = { pid: Number(vm[1]), name: nameFromHost(vm[2]!).name, tasks: [] }
      continue
    }
    if (l.startsWith('note ')) {
      notes.push(escapeUnsafe(l.slice(5)))
      continue
    }
    const task = parseTask(l)
    if (!task || !current) return unexpectedLine(section, l, firstLine + i)
    if (task.kind === 'p') {
      if (task.tid !== current.pid) return failed(section, msg('hostOutput.qemuThreads.processUnder', { tid: task.tid, pid: current.pid }), { line: firstLine + i })
      current.process = task
    } else current.tasks.push(task)
  }
  finish()
  return parsed({ vms, notes })
}
