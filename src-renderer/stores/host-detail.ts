import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { HostFactsResult, HostHistory, HostMetric } from '../../shared/api'
import { diskMetrics, type Snapshot } from '../../shared/model'
import { api } from '../api'
import { appendPoint, detailMaxPoints, useLiveSeries } from './live-series'
import { shownError, type ShownError } from './shown-error'

type VmStack = HostHistory['vms']

/**
 * Live: the snapshot's point for each stacked VM and the sum of the others (the VMs of the host
 * not ranked at load), after the loaded buckets; points older than the window are dropped.
 */
function appendVmStack(stack: VmStack, snapshot: Snapshot, hostId: string | null, from: number): VmStack {
  const last = stack.t.at(-1)
  if (last !== undefined && snapshot.t <= last) return stack
  const samples = snapshot.vmSamples.filter((s) => s.hostId === hostId)
  if (samples.length === 0) return stack
  const start = stack.t.findIndex((x) => x >= from)
  const keep = start === -1 ? stack.t.length : start
  const ranked = new Set(stack.items.map((item) => item.vmId))
  const byVm = new Map(samples.map((s) => [s.vmId, s]))
  let otherCpu = 0
  let otherMem = 0
  for (const s of samples) {
    if (ranked.has(s.vmId)) continue
    otherCpu += s.cpuUsedCores
    otherMem += s.memUsedMiB
  }
  return {
    ...stack,
    t: [...stack.t.slice(keep), snapshot.t],
    items: stack.items.map((item) => ({
      ...item,
      cpuUsedCores: [...item.cpuUsedCores.slice(keep), byVm.get(item.vmId)?.cpuUsedCores ?? 0],
      memUsedMiB: [...item.memUsedMiB.slice(keep), byVm.get(item.vmId)?.memUsedMiB ?? 0],
    })),
    others: stack.others && {
      ...stack.others,
      cpuUsedCores: [...stack.others.cpuUsedCores.slice(keep), otherCpu],
      memUsedMiB: [...stack.others.memUsedMiB.slice(keep), otherMem],
    },
  }
}

/** Live: each device's new iostat point after its series (a device new since the load waits for the next load). */
function appendDisks(disks: HostHistory['disks'], snapshot: Snapshot, hostId: string | null, from: number): HostHistory['disks'] {
  const samples = new Map((snapshot.diskSamples ?? []).filter((d) => d.hostId === hostId).map((d) => [d.device, d]))
  if (samples.size === 0) return disks
  return {
    ...disks,
    devices: disks.devices.map((d) => {
      const sample = samples.get(d.device)
      if (!sample) return d
      const series = { ...d.series }
      for (const metric of diskMetrics) {
        const value = sample[metric]
        if (typeof value === 'number') series[metric] = appendPoint(series[metric], snapshot.t, value, from)
      }
      return { ...d, series }
    }),
  }
}

/** One host's history for the selected range, its tuning facts, and live points while live. */
export const useHostDetailStore = defineStore('host-detail', () => {
  const hostId = ref<string | null>(null)
  const history = shallowRef<HostHistory | null>(null)
  const facts = shallowRef<HostFactsResult | null>(null)
  const loading = ref(false)
  const error = ref<ShownError | null>(null)
  const live = useLiveSeries<HostMetric>()
  const range = live.range
  let request = 0

  async function load(id: string, from: number, to: number): Promise<void> {
    const mine = ++request
    if (hostId.value !== id) {
      history.value = null
      facts.value = null
    }
    hostId.value = id
    range.value = { from, to }
    loading.value = true
    try {
      const [next, nextFacts] = await Promise.all([
        api.invoke('host.history', { hostId: id, from, to, maxPoints: detailMaxPoints() }),
        facts.value ? Promise.resolve(facts.value) : api.invoke('host.facts', { hostId: id }),
      ])
      if (mine !== request) return
      history.value = next
      facts.value = nextFacts
      error.value = null
    } catch (e) {
      if (mine === request) error.value = shownError(e)
    } finally {
      if (mine === request) loading.value = false
    }
  }

  /** Live: add the snapshot's sample of this host and drop what fell out of the window. */
  function applySnapshot(snapshot: Snapshot): void {
    const current = history.value
    const sample = snapshot.hostSamples.find((s) => s.hostId === hostId.value)
    if (!current || !sample) return
    const host = live.extend(current.host, sample)
    history.value = { ...current, host, vms: appendVmStack(current.vms, snapshot, hostId.value, host.from), disks: appendDisks(current.disks, snapshot, hostId.value, host.from) }
  }

  return { hostId, history, facts, loading, error, range, load, applySnapshot }
})

