import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Host, HostSample, Snapshot, Vm, VmSample } from '../../shared/model'
import { api } from '../api'
import { appendSnapshot, emptyHistory, historyFromSeries, historyRequest, snapshotTotals, type ClusterHistory } from './cluster-history'
import { shownError, type ShownError } from './shown-error'

/** One host as the views show it: inventory, its latest sample and its VMs. */
export interface HostView {
  host: Host
  sample: HostSample | undefined
  vms: VmView[]
  runningVms: number
}

export interface VmView {
  vm: Vm
  sample: VmSample | undefined
}

function hostSetKey(snapshot: Snapshot): string {
  return snapshot.hosts
    .map((h) => h.id)
    .sort()
    .join('\n')
}

/** The cluster: the latest snapshot (request at start, then pushed events) and the last 15 min of totals. */
export const useClusterStore = defineStore('cluster', () => {
  const snapshot = shallowRef<Snapshot | null>(null)
  const history = shallowRef<ClusterHistory>(emptyHistory)
  const loading = ref(false)
  const error = ref<ShownError | null>(null)
  let unsubscribe: (() => void) | undefined

  function applySnapshot(next: Snapshot): void {
    const previous = snapshot.value
    if (previous && next.t < previous.t) return
    snapshot.value = next
    // Hosts came or went (demo switched, host added): old totals describe another cluster, so
    // start over from the store. A failed reload keeps the live points; a later change retries.
    const hostsChanged = previous !== null && hostSetKey(previous) !== hostSetKey(next)
    history.value = appendSnapshot(hostsChanged ? emptyHistory : history.value, next)
    if (hostsChanged) loadHistory().catch(() => undefined)
  }

  /** Replaces the chart history with the store's last 15 min, keeping live points newer than it. */
  async function loadHistory(): Promise<void> {
    const series = await api.invoke('cluster.history', historyRequest(Date.now()))
    // Live events may have arrived while loading: keep them after the stored history.
    const live = history.value
    const stored = historyFromSeries(series)
    const lastStored = stored.t.at(-1) ?? -Infinity
    const newer = live.t.flatMap((t, i) => (t > lastStored ? [i] : []))
    history.value = {
      ...stored,
      t: [...stored.t, ...newer.map((i) => live.t[i] ?? 0)],
      cpuUsedCores: [...stored.cpuUsedCores, ...newer.map((i) => live.cpuUsedCores[i] ?? 0)],
      memUsedMiB: [...stored.memUsedMiB, ...newer.map((i) => live.memUsedMiB[i] ?? 0)],
    }
  }

  /** Loads the snapshot and history and subscribes to live snapshots; safe to call again to retry. */
  async function start(): Promise<void> {
    unsubscribe ??= api.on('cluster.snapshot', applySnapshot)
    loading.value = true
    try {
      const [current] = await Promise.all([api.invoke('cluster.snapshot', {}), loadHistory()])
      const latest = snapshot.value && snapshot.value.t > current.t ? snapshot.value : current
      snapshot.value = latest
      history.value = appendSnapshot(history.value, latest)
      error.value = null
    } catch (e) {
      error.value = shownError(e)
    } finally {
      loading.value = false
    }
  }

  /** Per host once per snapshot: one pass over the VMs groups them by host. */
  const hostViews = computed<HostView[]>(() => {
    const current = snapshot.value
    if (!current) return []
    const hostSamples = new Map(current.hostSamples.map((s) => [s.hostId, s]))
    const vmSamples = new Map(current.vmSamples.map((s) => [s.vmId, s]))
    const byHost = new Map<string, { vms: VmView[]; running: number }>(current.hosts.map((host) => [host.id, { vms: [], running: 0 }]))
    for (const vm of current.vms) {
      const group = byHost.get(vm.hostId)
      if (!group) continue
      group.vms.push({ vm, sample: vmSamples.get(vm.id) })
      if (vm.state === 'running') group.running++
    }
    return current.hosts.map((host) => {
      const group = byHost.get(host.id)!
      return { host, sample: hostSamples.get(host.id), vms: group.vms, runningVms: group.running }
    })
  })

  const totals = computed(() => {
    const current = snapshot.value
    if (!current) return null
    return {
      ...snapshotTotals(current),
      hosts: current.hosts.length,
      hostsOnline: current.hosts.filter((h) => h.state === 'online').length,
      vms: current.vms.length,
      vmsRunning: current.vms.filter((v) => v.state === 'running').length,
    }
  })

  /** True when what is on screen is the embedded demo cluster, not real hosts. */
  const showingDemo = computed(() => {
    const hosts = snapshot.value?.hosts ?? []
    return hosts.length > 0 && hosts.every((h) => h.source === 'demo')
  })

  return { snapshot, history, loading, error, hostViews, totals, showingDemo, start }
})
