import { english, msg, type MessageRef } from '../../../../shared/i18n'
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
      if (header) return failed(section, msg('hostOutput.perf.secondTable'), { line: i + 1 })
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
    if (l.trim() !== '') return failed(section, msg('hostOutput.perf.unexpectedLine', { output: JSON.stringify(l.trim().slice(0, 80)) }), { line: i + 1 })
  }
  if (!header) return failed(section, msg('hostOutput.perf.noTable'))
  const counted = exits.reduce((n, e) => n + e.samples, 0)
  if (total && total.samples !== counted) return failed(section, msg('hostOutput.perf.rowsDisagree', { counted, total: total.samples }))
  return parsed({
    ...(scope !== undefined ? { scope } : {}),
    exits,
    totalSamples: total?.samples ?? counted,
    ...(total ? { totalUs: total.us } : {}),
  })
}

/** How an on-demand `perf kvm stat` run on a host ended: a report, or why not (English, and in the admin's language). */
export type PerfKvmOutcome =
  | { status: 'done'; report: PerfKvmReport }
  | { status: 'perf-missing' | 'needs-root' | 'no-process' | 'failed'; message: string; messageRef: MessageRef }

function notDone(status: Exclude<PerfKvmOutcome['status'], 'done'>, ref: MessageRef): PerfKvmOutcome {
  return { status, message: english(ref), messageRef: ref }
}

/** The marker lines perf-kvm-script.ts prints before what perf printed. */
const MARK = /^VP-PERF (missing|needs-root|no-process|record-failed|report)$/

/** The output of PERF_KVM_SCRIPT (hosts/linux/perf-kvm-script.ts) as an outcome the admin reads. */
export function parsePerfKvmRun(output: string): PerfKvmOutcome {
  const lines = linesOf(output)
  const at = lines.findIndex((l) => MARK.test(l))
  if (at < 0) {
    const printed = output.trim().slice(0, 300)
    return notDone('failed', printed ? msg('hostOutput.perf.noResult', { output: printed }) : msg('hostOutput.perf.noResultEmpty'))
  }
  const mark = MARK.exec(lines[at]!)![1]!
  const rest = lines.slice(at + 1).join('\n').trim().slice(0, 2000)
  switch (mark) {
    case 'missing':
      return notDone('perf-missing', msg('hostOutput.perf.missing'))
    case 'needs-root':
      return notDone('needs-root', msg('hostOutput.perf.needsRoot'))
    case 'no-process':
      return notDone('no-process', msg('hostOutput.perf.noProcess'))
    case 'record-failed':
      return notDone('failed', rest ? msg('hostOutput.perf.recordSaid', { output: rest }) : msg('hostOutput.perf.recordFailed'))
    default: {
      const report = parsePerfKvmReport(rest)
      if (report.ok) return { status: 'done', report: report.value }
      return notDone('failed', msg('hostOutput.perf.reportFailed', { problem: report.error.ref ?? report.error.message, output: rest.slice(0, 300) }))
    }
  }
}
