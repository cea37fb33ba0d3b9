import { msg } from '../../../../shared/i18n'
import { failed, linesOf, parsed, toCounter, type Parsed, type ParseProblem } from './result'

/**
 * `path=value` lines as the discover script prints single-line sysfs/procfs files, and
 * `path!unreadable` / `path!missing` for the ones it could not read.
 */
export interface FileValues {
  values: ReadonlyMap<string, string>
  unreadable: readonly string[]
  missing: readonly string[]
}

export function parseFileValues(text: string, section: string, firstLine = 1): Parsed<FileValues> {
  const values = new Map<string, string>()
  const unreadable: string[] = []
  const missing: string[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (l === '') continue
    const bang = /^(\/[^=!]*)!(unreadable|missing)$/.exec(l)
    if (bang) {
      ;(bang[2] === 'missing' ? missing : unreadable).push(bang[1]!)
      continue
    }
    const eq = l.indexOf('=')
    if (!l.startsWith('/') || eq < 0) return failed(section, msg('hostOutput.expectedGot', { format: '/path=value', output: JSON.stringify(l.slice(0, 80)) }), { line: firstLine + i })
    values.set(l.slice(0, eq), l.slice(eq + 1))
  }
  return parsed({ values, unreadable, missing })
}

/** Kernel samepage merging: /sys/kernel/mm/ksm/*. */
export interface KsmState {
  /** 0 stopped, 1 merging, 2 unmerge all. */
  run: number
  pagesShared: number
  pagesSharing: number
  pagesUnshared: number
  pagesVolatile: number
  fullScans: number
  pagesToScan?: number
  sleepMillisecs?: number
  mergeAcrossNodes?: number
  /** Kernel 6.1+: pages merged into the zero page. */
  zeroPagesSharing?: number
  /** Kernel 6.1+: pages saved minus metadata cost, in pages (may be negative). */
  generalProfit?: number
}

/** Transparent hugepages: the bracketed choice of `always [madvise] never`. */
export interface ThpState {
  enabled: string
  defrag?: string
  /** All choices the kernel offers, for the UI. */
  enabledChoices: string[]
}

export interface HugepagePool {
  sizeKiB: number
  total: number
  free: number
  reserved: number
  surplus: number
}

export interface HostTuning {
  ksm?: KsmState
  thp?: ThpState
  hugepagePools: HugepagePool[]
  /** scaling_governor per CPU number (CPUs without cpufreq, e.g. in many VMs, are absent). */
  governors: ReadonlyMap<number, string>
  /** /sys/module/kvm/parameters/halt_poll_ns; undefined when the kvm module is not loaded. */
  haltPollNs?: number
  kvm: {
    /** /dev/kvm exists. */
    devicePresent: boolean
    /** The host's kvm vendor module (kvm_intel, kvm_amd, kvm_hv, ...) when loaded. */
    vendorModule?: string
    /** Nested virtualisation parameter of that module (Y/N/1/0). */
    nested?: string
  }
  vhost: { netDevice: boolean; vsockDevice: boolean; netModuleLoaded: boolean }
  /** cpuinfo_max_freq of cpu0 in MHz, when cpufreq exposes it. */
  cpuMaxMHz?: number
  /** Mean scaling_cur_freq over the CPUs that expose it, MHz, at the time of the read. */
  cpuCurMHz?: number
}

/** The bracketed choice in `always [madvise] never`. */
export function bracketedChoice(value: string): { chosen?: string; choices: string[] } {
  const choices = value.trim().split(/\s+/).filter(Boolean)
  const chosen = choices.find((c) => c.startsWith('[') && c.endsWith(']'))
  return { chosen: chosen?.slice(1, -1), choices: choices.map((c) => c.replace(/^\[|\]$/g, '')) }
}

const KSM_DIR = '/sys/kernel/mm/ksm/'

/** Builds the tuning facts from the discover script's `files` section. */
export function hostTuningFrom(files: FileValues, section = 'files'): Parsed<HostTuning> {
  const v = files.values
  const warnings: ParseProblem[] = []
  const counter = (path: string): number | undefined => {
    const raw = v.get(path)
    if (raw === undefined) return undefined
    const n = toCounter(raw.trim())
    if (n === undefined) warnings.push({ section, field: path, message: `not a counter: ${JSON.stringify(raw.slice(0, 40))}` })
    return n
  }
  const signed = (path: string): number | undefined => {
    const raw = v.get(path)?.trim()
    return raw !== undefined && /^-?\d+$/.test(raw) ? Number(raw) : undefined
  }

  let ksm: KsmState | undefined
  const run = counter(`${KSM_DIR}run`)
  if (run !== undefined) {
    ksm = {
      run,
      pagesShared: counter(`${KSM_DIR}pages_shared`) ?? 0,
      pagesSharing: counter(`${KSM_DIR}pages_sharing`) ?? 0,
      pagesUnshared: counter(`${KSM_DIR}pages_unshared`) ?? 0,
      pagesVolatile: counter(`${KSM_DIR}pages_volatile`) ?? 0,
      fullScans: counter(`${KSM_DIR}full_scans`) ?? 0,
      pagesToScan: counter(`${KSM_DIR}pages_to_scan`),
      sleepMillisecs: counter(`${KSM_DIR}sleep_millisecs`),
      mergeAcrossNodes: counter(`${KSM_DIR}merge_across_nodes`),
      zeroPagesSharing: counter(`${KSM_DIR}ksm_zero_pages`) ?? counter(`${KSM_DIR}zero_pages_sharing`),
      generalProfit: signed(`${KSM_DIR}general_profit`),
    }
  }

  let thp: ThpState | undefined
  const thpEnabled = v.get('/sys/kernel/mm/transparent_hugepage/enabled')
  if (thpEnabled !== undefined) {
    const e = bracketedChoice(thpEnabled)
    const d = v.get('/sys/kernel/mm/transparent_hugepage/defrag')
    if (!e.chosen) warnings.push({ section, field: '/sys/kernel/mm/transparent_hugepage/enabled', message: 'no [choice] marked' })
    thp = { enabled: e.chosen ?? thpEnabled.trim(), enabledChoices: e.choices, defrag: d === undefined ? undefined : bracketedChoice(d).chosen }
  }

  const pools = new Map<number, HugepagePool>()
  const governors = new Map<number, string>()
  const curKHz: number[] = []
  let vendorModule: string | undefined
  let nested: string | undefined
  for (const [path, raw] of v) {
    const hp = /^\/sys\/kernel\/mm\/hugepages\/hugepages-(\d+)kB\/(nr|free|resv|surplus)_hugepages$/.exec(path)
    if (hp) {
      const size = Number(hp[1])
      const pool = pools.get(size) ?? { sizeKiB: size, total: 0, free: 0, reserved: 0, surplus: 0 }
      const n = counter(path) ?? 0
      if (hp[2] === 'nr') pool.total = n
      else if (hp[2] === 'free') pool.free = n
      else if (hp[2] === 'resv') pool.reserved = n
      else pool.surplus = n
      pools.set(size, pool)
      continue
    }
    const gov = /^\/sys\/devices\/system\/cpu\/cpu(\d+)\/cpufreq\/scaling_governor$/.exec(path)
    if (gov) {
      governors.set(Number(gov[1]), raw.trim())
      continue
    }
    if (/^\/sys\/devices\/system\/cpu\/cpu\d+\/cpufreq\/scaling_cur_freq$/.test(path)) {
      const kHz = counter(path)
      if (kHz) curKHz.push(kHz)
      continue
    }
    const mod = /^\/sys\/module\/(kvm_[a-z]+)\/parameters\/nested$/.exec(path)
    if (mod) {
      vendorModule = mod[1]
      nested = raw.trim()
    }
  }
  const present = (path: string) => v.get(path) === 'yes'
  if (!vendorModule) vendorModule = ['kvm_intel', 'kvm_amd', 'kvm_hv', 'kvm_pr'].find((m) => present(`/sys/module/${m}`))
  const maxKHz = counter('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq')
  return parsed(
    {
      ksm,
      thp,
      hugepagePools: [...pools.values()].sort((a, b) => a.sizeKiB - b.sizeKiB),
      governors,
      haltPollNs: counter('/sys/module/kvm/parameters/halt_poll_ns'),
      kvm: { devicePresent: present('/dev/kvm'), vendorModule, nested },
      vhost: {
        netDevice: present('/dev/vhost-net'),
        vsockDevice: present('/dev/vhost-vsock'),
        netModuleLoaded: present('/sys/module/vhost_net'),
      },
      cpuMaxMHz: maxKHz ? maxKHz / 1000 : undefined,
      cpuCurMHz: curKHz.length > 0 ? curKHz.reduce((a, b) => a + b, 0) / curKHz.length / 1000 : undefined,
    },
    warnings,
  )
}

/** The first processor block of /proc/cpuinfo: a readable CPU model and its clock. */
export interface CpuinfoSummary {
  modelName?: string
  mhz?: number
}

export function parseCpuinfoSummary(text: string): CpuinfoSummary {
  const out: CpuinfoSummary = {}
  for (const l of linesOf(text)) {
    // Split at the first colon: a lazy key before `\s*:` backtracks quadratically over long runs of spaces.
    const colon = l.indexOf(':')
    if (colon <= 0) continue
    const key = l.slice(0, colon).trim().toLowerCase()
    const value = l.slice(colon + 1).trim()
    // x86 says "model name"; POWER says "cpu : POWER8E (raw), altivec supported" and "clock : 3690.000000MHz".
    if (key === 'model name' || (key === 'cpu' && !out.modelName && value !== '')) out.modelName = value.replace(/\s+/g, ' ')
    else if (key === 'cpu mhz') out.mhz = Number(value) || undefined
    else if (key === 'clock') out.mhz = Number(value.replace(/mhz$/i, '')) || undefined
  }
  return out
}
