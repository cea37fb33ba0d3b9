import type { Host, Settings } from '../../shared/model'

/** Each host with the allocation ratios the admin set for it, else the cluster's (Settings). */
export function withAllocationRatios(hosts: readonly Host[], ratios: Settings['allocationRatios']): Host[] {
  return hosts.map((h) => ({ ...h, allocationRatio: { ...(ratios.hosts[h.id] ?? ratios.cluster) } }))
}
