import type { PlacementHost, PlacementProblem, PlacementVm } from '../../../../shared/engine/placement'
import fc from 'fast-check'

/** Placement problems written by hand for the balancer's modules: hosts of 10 cores and 10 GiB unless said. */
export const GiB = 1024

export function phost(id: string, o: Partial<PlacementHost> = {}): PlacementHost {
  return { id, cpuCores: 10, memMiB: 10 * GiB, vcpuLimit: 40, memAllocLimitMiB: 10 * GiB, maintenance: false, ...o }
}

/** A VM claiming `cores` and `gib` (allocation the same, rounded up to whole vCPUs). */
export function pvm(id: string, hostId: string, cores: number, gib: number, o: Partial<PlacementVm> = {}): PlacementVm {
  return {
    id,
    hostId,
    cpuClaim: cores,
    memClaim: gib * GiB,
    vcpus: Math.max(1, Math.ceil(cores)),
    memoryMiB: gib * GiB,
    memUsedMiB: gib * GiB,
    memDirtyMiBps: 0,
    movable: true,
    allowedHosts: null,
    cooldownHosts: [],
    ...o,
  }
}

export function problemOf(hosts: PlacementHost[], vms: PlacementVm[], rules: { affinity?: string[][]; antiAffinity?: string[][] } = {}): PlacementProblem {
  return { hosts, vms, affinity: rules.affinity ?? [], antiAffinity: rules.antiAffinity ?? [], cpuWeight: 0.5, memWeight: 0.5 }
}

/** Random problems without rules: 2-6 hosts (one may be in maintenance), 2-16 VMs anywhere. */
export const arbitraryProblem: fc.Arbitrary<PlacementProblem> = fc
  .record({
    hosts: fc.array(fc.record({ cores: fc.integer({ min: 4, max: 64 }), gib: fc.integer({ min: 8, max: 256 }), maintenance: fc.boolean() }), { minLength: 2, maxLength: 6 }),
    vms: fc.array(fc.record({ host: fc.nat(), cores: fc.double({ min: 0, max: 8, noNaN: true }), gib: fc.double({ min: 0.25, max: 32, noNaN: true }) }), { minLength: 2, maxLength: 16 }),
  })
  .map(({ hosts, vms }) =>
    problemOf(
      hosts.map((h, i) => phost(`h${i}`, { cpuCores: h.cores, memMiB: h.gib * GiB, vcpuLimit: h.cores * 4, memAllocLimitMiB: h.gib * GiB * 2, maintenance: i > 0 && h.maintenance })),
      vms.map((v, i) => pvm(`v${i}`, `h${v.host % hosts.length}`, v.cores, v.gib)),
    ),
  )
