import { msg } from '../../../../shared/i18n'
import { nameFromHost } from '../../../../shared/text/control'
import { toKiB } from './capabilities'
import { parseCpuList } from '../../linux/parse/cpu-list'
import { failed, parsed, toCounter, type Parsed, type ParseProblem } from '../../linux/parse/result'
import type { VmManager } from '../../../../shared/model'
import { child, children, parseXml, textAt, type XmlElement } from './xml'

const SECTION = 'dumpxml'

export interface DomainDisk {
  /** disk, cdrom, floppy, lun. */
  device: string
  /** file, block, network, volume, ... */
  type: string
  targetDev?: string
  bus?: string
  /** Image format from <driver type>: qcow2, raw, ... */
  format?: string
  cache?: string
  io?: string
  discard?: string
  iothread?: number
  source?: string
  readonly: boolean
  /** <shareable/>: several guests use it at once (never copied by a migration). */
  shareable: boolean
  /** The image this one is an overlay of (<backingStore>), when the domain shows it. */
  backingFile?: string
}

export interface DomainNic {
  type: string
  model?: string
  mac?: string
  source?: string
  targetDev?: string
  /** <driver name>: vhost or qemu (userspace virtio). */
  driver?: string
  queues?: number
}

export interface DomainConfig {
  name: string
  uuid: string
  /** Present on running domains. */
  runningId?: number
  /** kvm, qemu (TCG), ... */
  type: string
  vcpusCurrent: number
  vcpusMax: number
  /** <currentMemory>: the balloon target, KiB. */
  memoryCurrentKiB: number
  /** <memory>: the boot-time maximum, KiB. */
  memoryMaxKiB: number
  /** <maxMemory>: the hot-plug ceiling, KiB, when configured. */
  memoryHotplugMaxKiB?: number
  cputune: {
    shares?: number
    periodUs?: number
    quotaUs?: number
    emulatorPeriodUs?: number
    emulatorQuotaUs?: number
    vcpupin: { vcpu: number; cpus: number[] }[]
    emulatorpin?: number[]
  }
  /** KiB limits from <memtune>. */
  memtune: { hardLimitKiB?: number; softLimitKiB?: number; swapHardLimitKiB?: number; minGuaranteeKiB?: number }
  numatune?: { mode?: string; nodeset?: number[] }
  memoryBacking: { hugepages: boolean; nosharepages: boolean; locked: boolean }
  cpuMode?: string
  disks: DomainDisk[]
  nics: DomainNic[]
  /** Absent when the domain has no <memballoon>; model `none` means ballooning is off. */
  memballoon?: { model: string; statsPeriodS?: number; autodeflate?: boolean; freePageReporting?: boolean }
  title?: string
  /** libosinfo OS id virt-install / virt-manager record in <metadata>, e.g. http://debian.org/debian/12. */
  guestOs?: string
  /** Another manager that put its mark in the domain: nova or oVirt <metadata>, a CloudStack or Nova SMBIOS product. */
  manager?: VmManager
}

const LIBOSINFO_NS = 'http://libosinfo.org/xmlns/libvirt/domain/1.0'

/** The OS id in <metadata>, matched by namespace rather than by the (conventional) prefix. */
function libosinfoOsId(d: XmlElement): string | undefined {
  for (const el of child(d, 'metadata')?.children ?? []) {
    const colon = el.name.indexOf(':')
    const prefix = colon < 0 ? '' : el.name.slice(0, colon)
    const ns = prefix ? el.attrs[`xmlns:${prefix}`] : el.attrs.xmlns
    if (ns !== LIBOSINFO_NS || el.name.slice(colon + 1) !== 'libosinfo') continue
    const id = child(el, prefix ? `${prefix}:os` : 'os')?.attrs.id?.trim()
    if (id) return id
  }
  return undefined
}

/** Namespaces managers write into <metadata>, by how their URI starts; the element they add. */
const MANAGER_NAMESPACES: { ns: string; element: string; manager: VmManager['manager'] }[] = [
  { ns: 'http://openstack.org/xmlns/libvirt/nova/', element: 'instance', manager: 'openstack' },
  { ns: 'http://ovirt.org/vm/1.0', element: 'vm', manager: 'ovirt' },
]

/** SMBIOS products managers give their guests, for domains without a manager's <metadata>. */
const MANAGER_PRODUCTS: Record<string, VmManager['manager']> = {
  'OpenStack Nova': 'openstack',
  'OpenStack Compute': 'openstack',
  'CloudStack KVM Hypervisor': 'cloudstack',
}

/** Which manager marked this domain. Namespaces are looked up on the element, then <metadata>, then <domain>. */
function domainManager(d: XmlElement, name: string): VmManager | undefined {
  const metadata = child(d, 'metadata')
  for (const el of metadata?.children ?? []) {
    const colon = el.name.indexOf(':')
    const prefix = colon < 0 ? '' : el.name.slice(0, colon)
    const attr = prefix ? `xmlns:${prefix}` : 'xmlns'
    const ns = el.attrs[attr] ?? metadata!.attrs[attr] ?? d.attrs[attr]
    const known = ns ? MANAGER_NAMESPACES.find((m) => ns.startsWith(m.ns) && el.name.slice(colon + 1) === m.element) : undefined
    if (!known) continue
    const label = known.manager === 'openstack' ? textAt(el, prefix ? `${prefix}:name` : 'name') : undefined
    return { manager: known.manager, ref: nameFromHost(label || name).name, source: `<metadata> ${ns}` }
  }
  const product = children(child(d, 'sysinfo', 'system'), 'entry').find((e) => e.attrs.name === 'product')?.text.trim()
  const manager = product ? MANAGER_PRODUCTS[product] : undefined
  return manager ? { manager, ref: nameFromHost(name).name, source: `<sysinfo> product ${product}` } : undefined
}

function memoryKiB(el: XmlElement | undefined): number | undefined {
  if (!el) return undefined
  const n = toCounter(el.text.trim())
  return n === undefined ? undefined : toKiB(n, el.attrs.unit)
}

function onOff(v: string | undefined): boolean | undefined {
  return v === undefined ? undefined : v === 'on' || v === 'yes'
}

function diskSource(d: XmlElement): string | undefined {
  const s = child(d, 'source')
  if (!s) return undefined
  const a = s.attrs
  if (a.file) return a.file
  if (a.dev) return a.dev
  if (a.protocol) return `${a.protocol}:${a.name ?? ''}`
  if (a.pool) return `${a.pool}/${a.volume ?? ''}`
  return a.name
}

/** The first image of a disk's backing chain (running domains list it; qcow2 overlays have one). */
function backingOf(d: XmlElement): string | undefined {
  const b = child(d, 'backingStore')
  if (!b || b.attrs.type === undefined) return undefined
  return diskSource(b)
}

/** `virsh dumpxml` of one domain (running or not). */
export function parseDomainXml(xml: string): Parsed<DomainConfig> {
  const doc = parseXml(xml, SECTION)
  if (!doc.ok) return doc
  const d = doc.value
  if (d.name !== 'domain') return failed(SECTION, msg('hostOutput.rootIs', { name: d.name, expected: 'domain' }), { line: d.line })
  const rawName = textAt(d, 'name')
  const uuid = textAt(d, 'uuid')
  if (!rawName) return failed(SECTION, msg('hostOutput.domainXml.noName'), { field: 'name' })
  const { name, escaped } = nameFromHost(rawName)
  if (!uuid) return failed(SECTION, msg('hostOutput.domainXml.noUuid', { name: JSON.stringify(name) }), { field: 'uuid' })
  const warnings: ParseProblem[] = []
  if (escaped) warnings.push({ section: SECTION, field: 'name', message: `${name}: the name holds control or line-break characters; they are shown escaped` })
  const where = (field: string, el?: XmlElement) => ({ field: `${name}: ${field}`, line: el?.line })

  const vcpuEl = child(d, 'vcpu')
  const vcpusMax = toCounter(vcpuEl?.text.trim())
  if (!vcpusMax) return failed(SECTION, msg('hostOutput.domainXml.noVcpu'), where('vcpu', vcpuEl))
  const vcpusCurrent = vcpuEl?.attrs.current === undefined ? vcpusMax : toCounter(vcpuEl.attrs.current)
  if (!vcpusCurrent) return failed(SECTION, msg('hostOutput.domainXml.badCurrent', { value: String(JSON.stringify(vcpuEl?.attrs.current)) }), where('vcpu/@current', vcpuEl))

  const memoryMaxKiB = memoryKiB(child(d, 'memory'))
  if (!memoryMaxKiB) return failed(SECTION, msg('hostOutput.domainXml.noMemory'), where('memory', child(d, 'memory')))
  const memoryCurrentKiB = memoryKiB(child(d, 'currentMemory')) ?? memoryMaxKiB

  const ct = child(d, 'cputune')
  const num = (path: string) => {
    const t = textAt(ct, path)
    if (t === undefined) return undefined
    const n = t.startsWith('-') ? Number(t) : toCounter(t)
    if (n === undefined || Number.isNaN(n)) warnings.push({ section: SECTION, ...where(`cputune/${path}`), message: `not a number: ${JSON.stringify(t)}` })
    // quota -1 means "no limit".
    return n === undefined || Number.isNaN(n) || n < 0 ? undefined : n
  }
  const vcpupin: DomainConfig['cputune']['vcpupin'] = []
  for (const p of children(ct, 'vcpupin')) {
    const vcpu = toCounter(p.attrs.vcpu)
    const cpus = p.attrs.cpuset === undefined ? undefined : parseCpuListWithExclusions(p.attrs.cpuset)
    if (vcpu === undefined || !cpus) return failed(SECTION, msg('hostOutput.domainXml.badVcpupin', { vcpu: String(p.attrs.vcpu), cpuset: String(p.attrs.cpuset) }), where('cputune/vcpupin', p))
    vcpupin.push({ vcpu, cpus })
  }
  const emuPin = child(ct, 'emulatorpin')?.attrs.cpuset

  const mt = child(d, 'memtune')
  const limit = (n: string) => {
    const v = memoryKiB(child(mt, n))
    // libvirt prints 9007199254740991 (KiB) for "unlimited".
    return v === undefined || v >= 9007199254740991 ? undefined : v
  }

  const nt = child(d, 'numatune', 'memory')
  const mb = child(d, 'memoryBacking')

  const disks: DomainDisk[] = children(child(d, 'devices'), 'disk').map((el) => {
    const drv = child(el, 'driver')
    const tgt = child(el, 'target')
    return {
      device: el.attrs.device ?? 'disk',
      type: el.attrs.type ?? 'file',
      targetDev: tgt?.attrs.dev,
      bus: tgt?.attrs.bus,
      format: drv?.attrs.type,
      cache: drv?.attrs.cache,
      io: drv?.attrs.io,
      discard: drv?.attrs.discard,
      iothread: toCounter(drv?.attrs.iothread),
      source: diskSource(el),
      readonly: child(el, 'readonly') !== undefined,
      shareable: child(el, 'shareable') !== undefined,
      backingFile: backingOf(el),
    }
  })
  const nics: DomainNic[] = children(child(d, 'devices'), 'interface').map((el) => {
    const src = child(el, 'source')
    const drv = child(el, 'driver')
    return {
      type: el.attrs.type ?? 'unknown',
      model: child(el, 'model')?.attrs.type,
      mac: child(el, 'mac')?.attrs.address,
      source: src?.attrs.bridge ?? src?.attrs.network ?? src?.attrs.dev ?? src?.attrs.path,
      targetDev: child(el, 'target')?.attrs.dev,
      driver: drv?.attrs.name,
      queues: toCounter(drv?.attrs.queues),
    }
  })
  const mbEl = child(d, 'devices', 'memballoon')
  const hot = memoryKiB(child(d, 'maxMemory'))

  return parsed(
    {
      name,
      uuid,
      runningId: d.attrs.id === undefined ? undefined : toCounter(d.attrs.id),
      type: d.attrs.type ?? 'unknown',
      vcpusCurrent,
      vcpusMax,
      memoryCurrentKiB,
      memoryMaxKiB,
      memoryHotplugMaxKiB: hot,
      cputune: {
        shares: num('shares'),
        periodUs: num('period'),
        quotaUs: num('quota'),
        emulatorPeriodUs: num('emulator_period'),
        emulatorQuotaUs: num('emulator_quota'),
        vcpupin,
        emulatorpin: emuPin === undefined ? undefined : parseCpuListWithExclusions(emuPin),
      },
      memtune: {
        hardLimitKiB: limit('hard_limit'),
        softLimitKiB: limit('soft_limit'),
        swapHardLimitKiB: limit('swap_hard_limit'),
        minGuaranteeKiB: limit('min_guarantee'),
      },
      numatune: nt ? { mode: nt.attrs.mode, nodeset: nt.attrs.nodeset === undefined ? undefined : parseCpuListWithExclusions(nt.attrs.nodeset) } : undefined,
      memoryBacking: {
        hugepages: child(mb, 'hugepages') !== undefined,
        nosharepages: child(mb, 'nosharepages') !== undefined,
        locked: child(mb, 'locked') !== undefined,
      },
      cpuMode: child(d, 'cpu')?.attrs.mode,
      disks,
      nics,
      memballoon: mbEl
        ? {
            model: mbEl.attrs.model ?? 'none',
            statsPeriodS: toCounter(child(mbEl, 'stats')?.attrs.period),
            autodeflate: onOff(mbEl.attrs.autodeflate),
            freePageReporting: onOff(mbEl.attrs.freePageReporting),
          }
        : undefined,
      title: textAt(d, 'title'),
      guestOs: libosinfoOsId(d),
      manager: domainManager(d, name),
    },
    warnings,
  )
}

/** libvirt cpusets allow exclusions: `0-7,^3`. */
function parseCpuListWithExclusions(set: string): number[] | undefined {
  const parts = set.split(',')
  const include = parts.filter((p) => !p.trim().startsWith('^')).join(',')
  const exclude = parts.filter((p) => p.trim().startsWith('^')).map((p) => p.trim().slice(1))
  const inc = include === '' ? [] : parseCpuList(include)
  const exc = exclude.length ? parseCpuList(exclude.join(',')) : []
  if (!inc || !exc) return undefined
  const ex = new Set(exc)
  return inc.filter((c) => !ex.has(c))
}
