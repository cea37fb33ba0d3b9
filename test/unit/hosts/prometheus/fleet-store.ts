// A fleet's history for a real store, built from real exporter outputs (test/fixtures/outputs/prometheus):
// every series the exporters printed, with each counter growing at a rate the test chooses.
import { readFileSync } from 'node:fs'
import { parseExposition, type ExportedSample, type Series } from '../../support/prometheus'

const dir = new URL('../../../fixtures/outputs/prometheus/', import.meta.url)
export const NODE_OUTPUT = parseExposition(readFileSync(new URL('node-exporter-1.5.0_debian12.txt', dir), 'utf8'))
export const LIBVIRT_OUTPUT = parseExposition(readFileSync(new URL('libvirt-exporter-0.2.0_debian12_lab-h1.txt', dir), 'utf8'))

/** 2026-01-01T00:00:00Z: the history starts here, 30 minutes at 15 s; tests read at END. */
export const START_S = 1_767_225_600
export const STEP_S = 15
export const END_S = START_S + 1800

const isCounter = (s: ExportedSample) => s.name.endsWith('_total') || s.name === 'node_vmstat_pswpin' || s.name === 'node_vmstat_pswpout'

export interface HostPlan {
  /** The address in the instance labels (`ADDRESS:9100`, `ADDRESS:9177`), or a full libvirt instance. */
  address: string
  libvirtInstance?: string
  nodename: string
  /** Per-second growth of a counter series; 0 (flat) when undefined. */
  rate?: (s: ExportedSample) => number | undefined
  /** The exporters' last scrape (default END_S): earlier means the host went silent. */
  lastS?: number
  /** libvirt domains to export (renamed from the fixture's), with their CPU rate (cores). */
  domains?: { from: string; name: string; uuid: string; cores: number; resetAtS?: number }[]
  /** Leave node_exporter or the libvirt exporter out. */
  noNode?: boolean
}

function series(sample: ExportedSample, labels: Record<string, string>, perSecond: number, lastS: number, resetAtS?: number): Series {
  const points: [number, number][] = []
  for (let t = START_S; t <= lastS; t += STEP_S) {
    const restarted = resetAtS !== undefined && t >= resetAtS
    // A counter that restarted (the VM rebooted) counts again from zero.
    points.push([t, isCounter(sample) ? (restarted ? perSecond * (t - resetAtS) : sample.value + perSecond * (t - START_S)) : sample.value])
  }
  return { name: sample.name, labels, points }
}

/** The series one host's node_exporter and libvirt exporter would have given the store. */
export function hostSeries(plan: HostPlan): Series[] {
  const last = plan.lastS ?? END_S
  const out: Series[] = []
  if (!plan.noNode) {
    const labels = (s: ExportedSample) => ({ ...s.labels, ...(s.name === 'node_uname_info' ? { nodename: plan.nodename } : {}), instance: `${plan.address}:9100`, job: 'node' })
    for (const s of NODE_OUTPUT) out.push(series(s, labels(s), plan.rate?.(s) ?? 0, last))
    // Loopback and a VM's tap: their traffic is not the host's (as over SSH).
    for (const device of ['lo', 'vnet3']) {
      for (const name of ['node_network_receive_bytes_total', 'node_network_transmit_bytes_total']) {
        out.push(series({ name, labels: { device }, value: 0 }, { device, instance: `${plan.address}:9100`, job: 'node' }, 1e9, last))
      }
    }
  }
  const libvirtInstance = plan.libvirtInstance ?? `${plan.address}:9177`
  for (const d of plan.domains ?? []) {
    for (const s of LIBVIRT_OUTPUT) {
      if (s.labels.domain !== d.from) continue
      const labels = { ...s.labels, domain: d.name, ...(s.labels.uuid !== undefined ? { uuid: d.uuid } : {}), instance: libvirtInstance, job: 'libvirt' }
      const cpu = s.name === 'libvirt_domain_info_cpu_time_seconds_total'
      out.push(series(s, labels, cpu ? d.cores : 0, last, cpu ? d.resetAtS : undefined))
    }
  }
  for (const job of plan.noNode ? ['libvirt'] : ['node', 'libvirt']) {
    const instance = job === 'node' ? `${plan.address}:9100` : libvirtInstance
    out.push({ name: 'up', labels: { instance, job }, points: series({ name: 'up', labels: {}, value: 1 }, {}, 0, last).points })
  }
  return out
}

/** Counter growth that gives a known host load: per CPU 0.3 user + 0.1 system busy, 0.6 idle (40 %). */
export function busyHost(extra: Partial<Record<string, number>> = {}) {
  return (s: ExportedSample): number | undefined => {
    if (s.name === 'node_cpu_seconds_total') return { user: 0.3, system: 0.1, idle: 0.6 }[s.labels.mode ?? ''] ?? 0
    if (s.name === 'node_disk_read_bytes_total' && s.labels.device === 'vda') return extra.diskRead ?? 1000
    if (s.name === 'node_disk_written_bytes_total' && s.labels.device === 'vda') return extra.diskWrite ?? 2000
    if (s.name === 'node_network_receive_bytes_total' && s.labels.device === 'eth0') return extra.netRx ?? 500
    if (s.name === 'node_network_transmit_bytes_total' && s.labels.device === 'eth0') return extra.netTx ?? 100
    if (s.name === 'node_pressure_cpu_waiting_seconds_total') return extra.psiCpu ?? 0.05
    return undefined
  }
}

/** Real pve-exporter outputs (prometheus-pve-exporter's golden files): a two-node cluster and a standalone node. */
export const PVE_CLUSTER_OUTPUT = parseExposition(readFileSync(new URL('pve-exporter_golden-cluster.txt', dir), 'utf8'))
export const PVE_STANDALONE_OUTPUT = parseExposition(readFileSync(new URL('pve-exporter_golden-standalone.txt', dir), 'utf8'))

/**
 * The series one pve-exporter scrape job would have given the store: every series of the output
 * as printed (Proxmox's CPU is a gauge), the counters growing at the rate chosen per series.
 */
export function pveSeries(output: readonly ExportedSample[], instance: string, rate?: (s: ExportedSample) => number | undefined, job = 'pve'): Series[] {
  const out = output.map((s) => series(s, { ...s.labels, instance, job }, rate?.(s) ?? 0, END_S))
  out.push({ name: 'up', labels: { instance, job }, points: series({ name: 'up', labels: {}, value: 1 }, {}, 0, END_S).points })
  return out
}
