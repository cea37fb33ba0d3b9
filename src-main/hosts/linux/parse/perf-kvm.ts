import { failed, linesOf, parsed, type Parsed } from './result'

/** One exit reason of `perf kvm stat report --event=vmexit`. Times in microseconds. */
export interface VmExitReason {
  reason: string
  samples: number
  samplesPct: number
  /** Share of all time spent handling exits that this reason took. */
  timePct: number
  minUs: number
  maxUs: number
  avgUs: number
  /** perf's "( +- x% )": the relative standard error of the mean. */
  avgSpreadPct: number
}

export interface PerfKvmReport {
  /** What perf analysed, as it says it ("all VMs, all VCPUs", "pid(s) 4242, all VCPUs"). */
  scope?: string
  exits: VmExitReason[]
  totalSamples: number
  /** Time spent handling the exits (µs): absent when perf did not print its total line. */
  totalUs?: number
}

const HEADER = /^\s*VM-EXIT\s+Samples\s+Samples%\s+Time%\s+Min Time\s+Max Time\s+Avg time\s*$/
const ROW = /^\s*(\S+)\s+(\d+)\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)us\s+([\d.]+)us\s+([\d.]+)us \( \+-\s*([\d.]+)% \)\s*$/
const TOTAL = /^\s*Total Samples:\s*(\d+), Total events handled time:\s*([\d.]+)us\.\s*$/
const SCOPE = /^\s*(?:[\d:.]+\s+)?Analyze events for (.+):\s*$/

/**
 * The text `perf kvm stat report --event=vmexit` prints (x86 and arm64 exit names alike). Lines
 * perf prints around it (record's own messages, warnings) are skipped; a text without the table's
 * header is refused: that is not a report.
 */
export function parsePerfKvmReport(text: string, section = 'perf kvm stat report'): Parsed<PerfKvmReport> {
  let header = false
  let scope: string | undefined
  let total: { samples: number; us: number } | undefined
  const exits: VmExitReason[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    const s = SCOPE.exec(l)
    if (s && !header) {
      scope = s[1]
      continue
    }
    if (HEADER.test(l)) {
      if (header) return failed(section, 'a second VM-EXIT table: give one report at a time', { line: i + 1 })
      header = true
      continue
    }
    if (!header) continue
    const t = TOTAL.exec(l)
    if (t) {
      total = { samples: Number(t[1]), us: Number(t[2]) }
      continue
    }
    const r = ROW.exec(l)
    if (r) {
      exits.push({
        reason: r[1]!,
        samples: Number(r[2]),
        samplesPct: Number(r[3]),
        timePct: Number(r[4]),
        minUs: Number(r[5]),
        maxUs: Number(r[6]),
        avgUs: Number(r[7]),
        avgSpreadPct: Number(r[8]),
      })
      continue
    }
    if (l.trim() !== '') return failed(section, `unexpected line in the VM-EXIT table: ${JSON.stringify(l.trim().slice(0, 80))}`, { line: i + 1 })
  }
  if (!header) return failed(section, 'no VM-EXIT table: perf printed no report (see its messages)')
  const counted = exits.reduce((n, e) => n + e.samples, 0)
  if (total && total.samples !== counted) return failed(section, `the rows add up to ${counted} samples, perf's total says ${total.samples}`)
  return parsed({
    ...(scope !== undefined ? { scope } : {}),
    exits,
    totalSamples: total?.samples ?? counted,
    ...(total ? { totalUs: total.us } : {}),
  })
}

/** How an on-demand `perf kvm stat` run on a host ended. */
export type PerfKvmOutcome =
  | { status: 'done'; report: PerfKvmReport }
  | { status: 'perf-missing' | 'needs-root' | 'no-process' | 'failed'; message: string }

/** The marker lines perf-kvm-script.ts prints before what perf printed. */
const MARK = /^VP-PERF (missing|needs-root|no-process|record-failed|report)$/

/** The output of PERF_KVM_SCRIPT (hosts/linux/perf-kvm-script.ts) as an outcome the admin reads. */
export function parsePerfKvmRun(output: string): PerfKvmOutcome {
  const lines = linesOf(output)
  const at = lines.findIndex((l) => MARK.test(l))
  if (at < 0) return { status: 'failed', message: `the host printed no result: ${output.trim().slice(0, 300) || '(nothing)'}` }
  const mark = MARK.exec(lines[at]!)![1]!
  const rest = lines.slice(at + 1).join('\n').trim().slice(0, 2000)
  switch (mark) {
    case 'missing':
      return { status: 'perf-missing', message: 'perf is not installed on the host (Debian/Ubuntu: linux-perf or linux-tools; RHEL: perf)' }
    case 'needs-root':
      return { status: 'needs-root', message: 'perf kvm stat needs root: log in as root, or allow the SSH user to run perf with sudo without a password' }
    case 'no-process':
      return { status: 'no-process', message: 'the VM’s QEMU process is gone (stopped or restarted since the last poll): try again after the next poll' }
    case 'record-failed':
      return { status: 'failed', message: rest || 'perf kvm stat record failed' }
    default: {
      const report = parsePerfKvmReport(rest)
      return report.ok ? { status: 'done', report: report.value } : { status: 'failed', message: `${report.error.message}: ${rest.slice(0, 300)}` }
    }
  }
}
