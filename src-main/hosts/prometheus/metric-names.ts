/**
 * Which metric names VirtPilot reads, per exporter. The README's table is this file.
 * Every host family comes from node_exporter; VM families from a libvirt exporter, whose
 * flavour is detected from the names the store holds.
 */

/** node_exporter (1.x): one entry per family of the shared model's host sample. */
export const NODE = {
  cpuSeconds: 'node_cpu_seconds_total',
  memTotal: 'node_memory_MemTotal_bytes',
  memAvailable: 'node_memory_MemAvailable_bytes',
  diskRead: 'node_disk_read_bytes_total',
  diskWritten: 'node_disk_written_bytes_total',
  netRx: 'node_network_receive_bytes_total',
  netTx: 'node_network_transmit_bytes_total',
  load1: 'node_load1',
  uname: 'node_uname_info',
  cpuInfo: 'node_cpu_info',
  psiCpu: 'node_pressure_cpu_waiting_seconds_total',
  psiMemory: 'node_pressure_memory_waiting_seconds_total',
  psiIo: 'node_pressure_io_waiting_seconds_total',
  swapIn: 'node_vmstat_pswpin',
  swapOut: 'node_vmstat_pswpout',
} as const

/** Without these a host cannot be shown at all. */
export const REQUIRED_NODE = [NODE.cpuSeconds, NODE.memTotal, NODE.memAvailable] as const

/** A libvirt exporter's names; optional ones are absent in some flavours. */
export interface LibvirtNames {
  flavour: string
  /** Seconds of host CPU the domain used, a counter. */
  cpuTime: string
  vcpus: string
  maxMemory: string
  /** Current balloon size (libvirt's "actual"), bytes. */
  memory: string
  /** libvirt's virDomainState code (1 running, 3 paused, 5 shut off, ...). */
  state?: string
  /** Guest-reported balloon figures; with both, used = available - unused (as over SSH). */
  balloonAvailable?: string
  balloonUnused?: string
  /** QEMU process RSS, the fallback for memory in use without guest balloon stats. */
  rss?: string
  blockReadBytes: string
  blockWriteBytes: string
  blockReadReqs: string
  blockWriteReqs: string
  netRx: string
  netTx: string
}

const COMMON = {
  cpuTime: 'libvirt_domain_info_cpu_time_seconds_total',
  vcpus: 'libvirt_domain_info_virtual_cpus',
  maxMemory: 'libvirt_domain_info_maximum_memory_bytes',
  memory: 'libvirt_domain_info_memory_usage_bytes',
  blockReadBytes: 'libvirt_domain_block_stats_read_bytes_total',
  blockWriteBytes: 'libvirt_domain_block_stats_write_bytes_total',
  blockReadReqs: 'libvirt_domain_block_stats_read_requests_total',
  blockWriteReqs: 'libvirt_domain_block_stats_write_requests_total',
  netRx: 'libvirt_domain_interface_stats_receive_bytes_total',
  netTx: 'libvirt_domain_interface_stats_transmit_bytes_total',
} as const

/**
 * The flavours, most specific first: the first whose marker metric the store holds wins. A
 * `uuid` label on the domain series, where an exporter adds one, becomes the VM's id.
 * - `debian`: Debian 12's prometheus-libvirt-exporter 0.2.0 (github.com/zhangjianweibj lineage):
 *   the common names plus `libvirt_domain_state_code`, a `uuid` label on every domain series;
 *   no guest memory statistics (memory in use is the balloon size).
 * - `community`: the newer community exporter (inovex/prometheus-libvirt-exporter, go-libvirt):
 *   `libvirt_domain_info_state` and guest memory statistics as `*_bytes`.
 * - `kumina`: the original kumina/libvirt_exporter: only the common names.
 */
export const LIBVIRT_FLAVOURS: readonly (LibvirtNames & { marker: string })[] = [
  { flavour: 'debian', marker: 'libvirt_domain_state_code', ...COMMON, state: 'libvirt_domain_state_code' },
  {
    flavour: 'community',
    marker: 'libvirt_domain_info_state',
    ...COMMON,
    state: 'libvirt_domain_info_state',
    balloonAvailable: 'libvirt_domain_memory_stats_available_bytes',
    balloonUnused: 'libvirt_domain_memory_stats_unused_bytes',
    rss: 'libvirt_domain_memory_stats_rss_bytes',
  },
  { flavour: 'kumina', marker: COMMON.cpuTime, ...COMMON },
]

/** The flavour whose marker the store holds, given the metric names it has. */
export function detectLibvirtFlavour(names: ReadonlySet<string>): LibvirtNames | undefined {
  return LIBVIRT_FLAVOURS.find((f) => names.has(f.marker) && names.has(f.cpuTime))
}

/**
 * prometheus-pve-exporter (Proxmox VE, 2.x/3.x): one series per Proxmox object, `id` labelled
 * `node/NAME`, `qemu/VMID`, `lxc/VMID` or `storage/NODE/NAME`; which node a guest runs on is a
 * label of `pve_guest_info` only. CPU is a gauge (Proxmox's fraction of the object's CPUs), not a
 * counter. Scraped with the cluster collector, every node's exporter gives the whole cluster:
 * series are taken once per `id`.
 */
export const PVE = {
  /** Proxmox's `cpu`: busy fraction of the object's CPUs (node: logical CPUs; guest: its vCPUs). */
  cpuRatio: 'pve_cpu_usage_ratio',
  /** Proxmox's `maxcpu`: the node's logical CPUs, a guest's vCPUs. */
  cpuLimit: 'pve_cpu_usage_limit',
  memUsed: 'pve_memory_usage_bytes',
  memSize: 'pve_memory_size_bytes',
  up: 'pve_up',
  /** `{id, name, node, type, template, tags}`: a guest's node and name. */
  guestInfo: 'pve_guest_info',
  /** `{id, name, nodeid, level}`: the cluster's nodes. */
  nodeInfo: 'pve_node_info',
  /** `{id, state}` 1 for the guest's HA state: a guest Proxmox VE HA manages. */
  haState: 'pve_ha_state',
} as const

/** Guest I/O counters: the `_total` names, else the older gauge names (deprecated by pve-exporter, same values). */
export interface PveIoNames {
  diskRead: string
  diskWritten: string
  netRx: string
  netTx: string
}

const PVE_IO: PveIoNames = { diskRead: 'pve_disk_read_bytes_total', diskWritten: 'pve_disk_written_bytes_total', netRx: 'pve_network_receive_bytes_total', netTx: 'pve_network_transmit_bytes_total' }
const PVE_IO_OLD: PveIoNames = { diskRead: 'pve_disk_read_bytes', diskWritten: 'pve_disk_write_bytes', netRx: 'pve_network_receive_bytes', netTx: 'pve_network_transmit_bytes' }

/** The pve-exporter's I/O names when the store holds its guest and CPU figures; undefined without pve-exporter. */
export function detectPve(names: ReadonlySet<string>): PveIoNames | undefined {
  if (!names.has(PVE.guestInfo) && !names.has(PVE.nodeInfo)) return undefined
  if (!names.has(PVE.cpuRatio) || !names.has(PVE.memUsed)) return undefined
  return names.has(PVE_IO.diskRead) ? PVE_IO : PVE_IO_OLD
}
