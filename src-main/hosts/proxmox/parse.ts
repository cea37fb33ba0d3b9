import { z } from 'zod'
import { msg } from '../../../shared/i18n'
import { VmSchema, type Vm, type VmState } from '../../../shared/model'
import { nameFromHost } from '../../../shared/text/control'
import { parseCpuList } from '../linux/parse/cpu-list'
import { failed, linesOf, parsed, type Parsed, type ParseProblem } from '../linux/parse/result'

/**
 * Proxmox VE: detection, the JSON that `pvesh get <path> --output-format json` prints (the API's
 * `data` member; a whole API response `{"data": ...}` is accepted too), and guest configs either
 * as that JSON or as the /etc/pve/qemu-server/<vmid>.conf file it is read from. The commands
 * that produce them are in discover-script.ts and stats-script.ts.
 */

export interface ProxmoxVersion {
  manager: string
  runningKernel?: string
}

/** `pveversion`: `pve-manager/8.1.4/ec5affc9e41f1d79 (running kernel: 6.5.11-8-pve)`; anything else means not Proxmox. */
export function detectProxmox(pveversionOutput: string): ProxmoxVersion | undefined {
  const m = /^pve-manager\/(\d+(?:\.\d+)*)(?:\/\S+)?(?:\s+\(running kernel: ([^)]+)\))?/m.exec(pveversionOutput)
  return m ? { manager: m[1]!, runningKernel: m[2] } : undefined
}

/** Node names go into a pvesh path: letters, digits, dot, dash only (Proxmox's own rule for node names). */
export function isSafeNodeName(node: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(node)
}

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)])

/** vmids are positive integers (Proxmox allows 100-999999999); anything else is not a guest id. */
const vmidNum = num.pipe(z.number().int().positive())

/** What /cluster/resources and /nodes/<node>/qemu both say of a guest. */
const GuestSchema = z.object({
  vmid: vmidNum,
  name: z
    .string()
    .transform((s) => nameFromHost(s).name)
    .optional(),
  status: z.string(),
  template: num.optional(),
  maxmem: num.optional(),
  mem: num.optional(),
  cpu: num.optional(),
  uptime: num.optional(),
  diskread: num.optional(),
  diskwrite: num.optional(),
  netin: num.optional(),
  netout: num.optional(),
  tags: z.string().optional(),
})

const ClusterVmSchema = GuestSchema.extend({
  type: z.enum(['qemu', 'lxc']),
  node: z.string(),
  maxcpu: num.optional(),
})

const QemuStatusSchema = GuestSchema.extend({
  qmpstatus: z.string().optional(),
  cpus: num.optional(),
})

export type ProxmoxClusterVm = z.infer<typeof ClusterVmSchema>
export type ProxmoxQemuStatus = z.infer<typeof QemuStatusSchema>

/** pvesh answers nest a few levels; deeper JSON is hostile and costs JSON.parse far more per byte. */
const MAX_JSON_DEPTH = 32

/** Whether brackets outside strings nest deeper than `max` (one pass, no parse). */
function nestsDeeper(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

function parseJsonData(text: string, section: string): Parsed<unknown> {
  if (nestsDeeper(text, MAX_JSON_DEPTH)) return failed(section, msg('hostOutput.proxmox.tooDeep', { max: MAX_JSON_DEPTH }))
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return failed(section, msg('hostOutput.notJson', { error: (e as Error).message }))
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'data' in value) value = (value as { data: unknown }).data
  return parsed(value)
}

function issues(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
}

/** `pvesh get /cluster/resources --type vm`: every guest of the cluster (qemu and lxc). */
export function parseClusterResources(text: string): Parsed<ProxmoxClusterVm[]> {
  const section = 'pvesh /cluster/resources'
  const data = parseJsonData(text, section)
  if (!data.ok) return data
  if (!Array.isArray(data.value)) return failed(section, msg('hostOutput.jsonArray'))
  const out: ProxmoxClusterVm[] = []
  const warnings: ParseProblem[] = []
  data.value.forEach((item: unknown, i) => {
    const type = (item as { type?: unknown } | null)?.type
    if (type !== 'qemu' && type !== 'lxc') return // storage, node, sdn rows when --type is not given
    const r = ClusterVmSchema.safeParse(item)
    if (r.success) out.push(r.data)
    else warnings.push({ section, field: `[${i}]`, message: issues(r.error) })
  })
  return parsed(out, warnings)
}

/** `pvesh get /nodes/<node>/qemu` (a list) or `.../qemu/<vmid>/status/current` (one object). */
export function parseQemuStatus(text: string): Parsed<ProxmoxQemuStatus[]> {
  const section = 'pvesh /nodes/<node>/qemu'
  const data = parseJsonData(text, section)
  if (!data.ok) return data
  const list = Array.isArray(data.value) ? data.value : [data.value]
  const out: ProxmoxQemuStatus[] = []
  for (let i = 0; i < list.length; i++) {
    const r = QemuStatusSchema.safeParse(list[i])
    if (!r.success) return failed(section, msg('hostOutput.proxmox.notAsExpected', { issues: issues(r.error) }), { field: `[${i}]` })
    out.push(r.data)
  }
  return parsed(out)
}

export interface ProxmoxDisk {
  /** scsi0, virtio1, ide2, sata0, efidisk0, tpmstate0. */
  slot: string
  bus: string
  /** `local-lvm:vm-100-disk-0`, or `none`. */
  volume: string
  media?: string
  cache?: string
  aio?: string
  iothread: boolean
  discard?: string
  sizeBytes?: number
  format?: string
  /** `ro=1`; absent when not set. */
  readonly?: true
}

export interface ProxmoxNic {
  slot: string
  model: string
  mac?: string
  bridge?: string
  firewall: boolean
  queues?: number
  /** `link_down=1`. */
  linkDown?: true
}

/** `numa<N>: cpus=0-3,hostnodes=0,memory=4096,policy=bind`: one guest NUMA node. */
export interface ProxmoxNumaNode {
  id: number
  cpus?: number[]
  hostNodes?: number[]
  memoryMiB?: number
  /** preferred, bind, interleave. */
  policy?: string
}

/** `qm config <vmid>` as JSON, the fields VirtPilot uses. */
export interface ProxmoxQemuConfig {
  name?: string
  /** smbios1 uuid: libvirt-like identity of the guest. */
  uuid?: string
  cores: number
  sockets: number
  /** Hot-plugged vCPUs online; defaults to cores x sockets. */
  vcpus: number
  /** MiB (`memory`, or its `current=` part). */
  memoryMiB: number
  /** Hot-plug ceiling in MiB (`memory: ...,max=`), when set. */
  memoryMaxMiB?: number
  /** Balloon minimum in MiB; 0 disables the balloon device. undefined = balloon on, min = memory. */
  balloonMiB?: number
  /** CPU weight (cgroup): 1024 default on cgroup v1, 100 on v2 (PVE 7+). */
  cpuUnits?: number
  /** Cap in CPUs (0 or absent: none). */
  cpuLimit?: number
  cpuType?: string
  numa: boolean
  numaNodes: ProxmoxNumaNode[]
  hugepages?: string
  scsiController?: string
  disks: ProxmoxDisk[]
  nics: ProxmoxNic[]
  tags: string[]
  onboot: boolean
  /** `kvm: 0` runs the guest emulated (TCG). */
  kvm: boolean
  /** `allow-ksm: 0` opts the guest out of KSM (PVE 8.1+). */
  allowKsm: boolean
  /** Host CPUs the QEMU process may run on (`affinity`, PVE 7.3+); undefined: any. */
  affinity?: number[]
  /** Guest OS type: l26, win11, other, ... */
  ostype?: string
  /** `machine`: pc, q35, pc-i440fx-8.1+pve0, ... */
  machine?: string
}

const SIZE_UNITS: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }

/** `local-lvm:vm-100-disk-0,iothread=1,size=32G` -> volume + options. */
export function parsePropertyString(value: string, defaultKey: string): Map<string, string> {
  const out = new Map<string, string>()
  value.split(',').forEach((part, i) => {
    const eq = part.indexOf('=')
    // The first item may be the default key's value without `key=` (a volume, or `virtio=MAC` for nets).
    if (eq < 0 || (i === 0 && defaultKey === 'file' && /^[^=]+:/.test(part))) out.set(i === 0 ? defaultKey : part, i === 0 ? part : '1')
    else out.set(part.slice(0, eq), part.slice(eq + 1))
  })
  return out
}

function toBytes(size: string | undefined): number | undefined {
  if (size === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(size)
  if (!m) return undefined
  return Number(m[1]) * (m[2] ? SIZE_UNITS[m[2]]! : 1)
}

const NIC_MODELS = ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3', 'i82551', 'i82557b', 'i82559er', 'ne2k_isa', 'ne2k_pci', 'pcnet']

const CONFIG_JSON = 'pvesh /nodes/<node>/qemu/<vmid>/config'

export function parseQemuConfig(text: string): Parsed<ProxmoxQemuConfig> {
  const data = parseJsonData(text, CONFIG_JSON)
  if (!data.ok) return data
  const c = data.value
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return failed(CONFIG_JSON, msg('hostOutput.jsonObject'))
  const cfg = c as Record<string, unknown>
  const values = new Map<string, string>()
  for (const [k, v] of Object.entries(cfg)) {
    if (typeof v === 'string') values.set(k, v)
    else if (typeof v === 'number') values.set(k, String(v))
  }
  return qemuConfigFrom(values, CONFIG_JSON)
}

/**
 * `/etc/pve/qemu-server/<vmid>.conf` as pmxcfs stores it, the file `qm config` and the config API
 * read: `key: value` lines of the current configuration, then `[snapshot]`, `[PENDING]` and
 * `[special:cloudinit]` sections (ignored: they are not what runs). `#` lines are the description.
 */
export function parseQemuConfFile(text: string, section = 'qemu-server .conf', firstLine = 1): Parsed<ProxmoxQemuConfig> {
  const values = new Map<string, string>()
  const warnings: ParseProblem[] = []
  const lines = linesOf(text)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    if (/^\s*$/.test(l) || l.startsWith('#')) continue
    if (/^\[[^\]]+\]\s*$/.test(l)) break
    // Key up to the first colon, value trimmed: no pattern that backtracks over a long run of spaces.
    const m = /^([a-z][a-z0-9_-]*):(.*)$/.exec(l)
    if (m) values.set(m[1]!, m[2]!.trim())
    else warnings.push({ section, line: firstLine + i, message: `not a "key: value" line: ${JSON.stringify(l.slice(0, 60))}` })
  }
  const r = qemuConfigFrom(values, section)
  return r.ok ? parsed(r.value, [...warnings, ...r.warnings]) : r
}

function cpuSet(list: string | undefined): number[] | undefined {
  if (list === undefined) return undefined
  // Proxmox separates ranges with `;` inside property strings (`cpus=0-1;4`), with `,` in `affinity`.
  const parts = list.split(/[;,]/).map((p) => parseCpuList(p))
  return parts.some((p) => p === undefined) ? undefined : parts.flat() as number[]
}

function qemuConfigFrom(values: ReadonlyMap<string, string>, section: string): Parsed<ProxmoxQemuConfig> {
  const str = (k: string): string | undefined => values.get(k)
  const int = (k: string): number | undefined => {
    const s = str(k)
    return s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined
  }
  const cores = int('cores') ?? 1
  const sockets = int('sockets') ?? 1
  if (!(cores >= 1 && sockets >= 1)) return failed(section, msg('hostOutput.proxmox.coresSockets'), { field: 'cores' })
  // `memory: 2048` or, since PVE 8.1, `memory: current=2048[,max=...]`.
  const memory = parsePropertyString(str('memory') ?? '', 'current')
  const memoryMiB = /^\d+$/.test(memory.get('current') ?? '') ? Number(memory.get('current')) : 512 // Proxmox's default when unset
  const memoryMax = memory.get('max')

  const disks: ProxmoxDisk[] = []
  const nics: ProxmoxNic[] = []
  const numaNodes: ProxmoxNumaNode[] = []
  const warnings: ParseProblem[] = []
  for (const key of [...values.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const value = values.get(key)!
    const disk = /^(ide|sata|scsi|virtio|efidisk|tpmstate)(\d+)$/.exec(key)
    if (disk) {
      const p = parsePropertyString(value, 'file')
      disks.push({
        slot: key,
        bus: disk[1]!,
        volume: p.get('file') ?? value,
        media: p.get('media'),
        cache: p.get('cache'),
        aio: p.get('aio'),
        iothread: p.get('iothread') === '1' || p.get('iothread') === 'on',
        discard: p.get('discard'),
        sizeBytes: toBytes(p.get('size')),
        format: p.get('format'),
        ...(p.get('ro') === '1' || p.get('ro') === 'on' ? { readonly: true as const } : {}),
      })
      continue
    }
    if (/^net\d+$/.test(key)) {
      const p = parsePropertyString(value, 'model')
      const model = NIC_MODELS.find((m) => p.has(m)) ?? p.get('model') ?? 'unknown'
      nics.push({
        slot: key,
        model,
        mac: p.get(model),
        bridge: p.get('bridge'),
        firewall: p.get('firewall') === '1',
        queues: p.get('queues') === undefined ? undefined : Number(p.get('queues')),
        ...(p.get('link_down') === '1' ? { linkDown: true as const } : {}),
      })
      continue
    }
    const numa = /^numa(\d+)$/.exec(key)
    if (numa) {
      const p = parsePropertyString(value, 'cpus')
      const mem = p.get('memory')
      numaNodes.push({
        id: Number(numa[1]),
        cpus: cpuSet(p.get('cpus')),
        hostNodes: cpuSet(p.get('hostnodes')),
        memoryMiB: mem !== undefined && /^\d+$/.test(mem) ? Number(mem) : undefined,
        policy: p.get('policy'),
      })
    }
  }
  const affinityText = str('affinity')
  const affinity = cpuSet(affinityText)
  if (affinityText !== undefined && affinity === undefined) warnings.push({ section, field: 'affinity', message: `not a CPU list: ${JSON.stringify(affinityText)}` })
  const smbios = str('smbios1')
  const uuid = smbios ? /(?:^|,)uuid=([0-9a-fA-F-]{36})/.exec(smbios)?.[1] : undefined
  return parsed(
    {
      name: str('name') === undefined ? undefined : nameFromHost(str('name')!).name,
      uuid,
      cores,
      sockets,
      vcpus: int('vcpus') ?? cores * sockets,
      memoryMiB,
      ...(memoryMax !== undefined && /^\d+$/.test(memoryMax) ? { memoryMaxMiB: Number(memoryMax) } : {}),
      balloonMiB: int('balloon'),
      cpuUnits: int('cpuunits'),
      cpuLimit: str('cpulimit') === undefined ? undefined : Number(str('cpulimit')),
      cpuType: str('cpu'),
      numa: str('numa') === '1',
      numaNodes: numaNodes.sort((a, b) => a.id - b.id),
      hugepages: str('hugepages'),
      scsiController: str('scsihw'),
      disks,
      nics,
      tags: (str('tags') ?? '').split(/[;, ]/).filter(Boolean),
      onboot: str('onboot') === '1',
      kvm: str('kvm') !== '0',
      allowKsm: str('allow-ksm') !== '0',
      affinity,
      ostype: str('ostype'),
      machine: str('machine'),
    },
    warnings,
  )
}

export function proxmoxVmState(status: string, qmpstatus?: string): VmState {
  if (qmpstatus === 'paused') return 'paused'
  if (qmpstatus === 'suspended' || qmpstatus === 'prelaunch') return 'suspended'
  if (status === 'running') return 'running'
  if (status === 'stopped') return 'shutoff'
  return 'other'
}

export interface ProxmoxInventoryOptions {
  /** Host id for a Proxmox node name. */
  hostIdOf: (node: string) => string
  /** VM id for a vmid (unique within a cluster); default `pve-<vmid>`. */
  vmIdOf?: (vmid: number) => string
  /** `qm config` per vmid, when fetched: gives current vCPUs, shares and the memory floor. */
  configs?: ReadonlyMap<number, ProxmoxQemuConfig>
}

/**
 * QEMU guests of /cluster/resources as shared Vm values (validated). Templates and containers
 * are left out: they cannot be right-sized or migrated as VMs. Rates are not derivable from one
 * read of Proxmox's cpu fraction; cumulative counters (disk/net bytes) are in ProxmoxClusterVm.
 */
export function proxmoxVms(resources: readonly ProxmoxClusterVm[], opts: ProxmoxInventoryOptions): Parsed<Vm[]> {
  const vms: Vm[] = []
  const warnings: ParseProblem[] = []
  for (const r of resources) {
    if (r.type !== 'qemu' || r.template === 1) continue
    const cfg = opts.configs?.get(r.vmid)
    const maxVcpus = cfg ? cfg.cores * cfg.sockets : r.maxcpu ?? 1
    const maxMemoryMiB = cfg ? cfg.memoryMiB : (r.maxmem ?? 0) / 1024 ** 2
    const vm: Vm = {
      id: opts.vmIdOf ? opts.vmIdOf(r.vmid) : `pve-${r.vmid}`,
      name: r.name ?? `VM ${r.vmid}`,
      hostId: opts.hostIdOf(r.node),
      state: proxmoxVmState(r.status),
      allocation: {
        vcpus: cfg?.vcpus ?? maxVcpus,
        maxVcpus,
        memoryMiB: maxMemoryMiB,
        maxMemoryMiB,
        ...(cfg?.cpuUnits ? { cpuShares: cfg.cpuUnits } : {}),
      },
      tags: (r.tags ?? '').split(/[;, ]/).filter(Boolean).map((t) => nameFromHost(t).name),
    }
    const check = VmSchema.safeParse(vm)
    if (check.success) vms.push(vm)
    else warnings.push({ section: 'pvesh /cluster/resources', field: `vmid ${r.vmid}`, message: issues(check.error) })
  }
  return parsed(vms, warnings)
}
