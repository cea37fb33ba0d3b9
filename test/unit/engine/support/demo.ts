import type { RecommendInput } from '../../../../shared/engine/recommend'
import type { VmUsageSeries } from '../../../../shared/engine/history'
import { LAYER_WINDOW_MS, layerMetrics } from '../../../../shared/model/history'
import { deriveSamples } from '../../../../src-main/collect/rates'
import { DemoCluster } from '../../../../src-main/hosts/demo/demo-cluster'

/**
 * The engine's input on the demo cluster as the app sees it right after start-up: its two
 * recorded days read at the trace's 5-minute step (the virtualization layer's figures too, as the
 * store's rollups give them), the snapshot of the start moment.
 */
export async function demoEngineInput(origin = 1_800_000_000_000): Promise<RecommendInput> {
  const demo = new DemoCluster(origin)
  const inventory = await demo.discover()
  const threads = new Map(inventory.hosts.map((h) => [h.id, h.cpu.threads]))
  const times = [...demo.backfillTimes(origin - 48 * 3_600_000, origin, 2000), origin]
  const vms: Record<string, VmUsageSeries> = {}
  let previous = await demo.readStats(times[0]!)
  let last = deriveSamples(previous, previous, threads)
  for (const t of times.slice(1)) {
    const raw = await demo.readStats(t)
    last = deriveSamples(previous, raw, threads)
    for (const s of last.vmSamples) {
      const series = (vms[s.vmId] ??= { t: [], cpuUsedCores: [], memUsedMiB: [], layer: { t: [], ...Object.fromEntries(layerMetrics.map((m) => [m, []])) } })
      series.t.push(s.t)
      series.cpuUsedCores.push(s.cpuUsedCores)
      series.memUsedMiB.push(s.memUsedMiB)
      if (s.t <= origin - LAYER_WINDOW_MS) continue
      series.layer!.t.push(s.t)
      for (const m of layerMetrics) series.layer![m]!.push(s[m] ?? null)
    }
    previous = raw
  }
  return {
    snapshot: { t: origin, hosts: inventory.hosts, vms: inventory.vms, hostSamples: last.hostSamples, vmSamples: last.vmSamples },
    history: { vms },
    now: origin,
    seed: 1,
  }
}
