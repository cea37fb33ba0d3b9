import type { Action, ReversibleAction } from '../model/action'
import type { Host } from '../model/host'
import type { Snapshot } from '../model/snapshot'
import type { History } from './history'
import type { EngineOptions } from './options'
import { MANAGER_NAMES } from '../model/vm'
import { externallyManaged } from './managers'
import { planMigrationStorage, type StorageContext } from './storage'
import { msg, said } from '../i18n'
import type { MessageRef } from '../model/message'

/**
 * Independent checker of a plan against capacity and rules. Written apart from the solvers on
 * purpose: it replays the actions on a copy of the inventory and checks every step and the end
 * state, so a bug in balancing or rightsizing shows up here rather than on a host.
 */
export interface PlanViolation {
  code:
    | 'unknown-vm'
    | 'unknown-host'
    | 'wrong-source-host'
    | 'externally-managed'
    /** The admin left the VM out of balancing and no hard rule or maintenance asks it to move. */
    | 'excluded'
    | 'maintenance-target'
    | 'left-on-maintenance-host'
    | 'pinned'
    | 'cooldown'
    | 'vcpu-overcommit'
    | 'memory-overcommit'
    | 'affinity'
    | 'anti-affinity'
    | 'below-one-vcpu'
    | 'above-max-live'
    | 'below-peak-memory'
    | 'bad-shares'
    | 'bad-rollback'
    | 'over-migration-budget'
    /** The destination cannot take the VM's disks (no pool to receive a copy, no room). */
    | 'storage-refused'
    /** The destination is in another cluster (another Proxmox VE cluster, or libvirt and Proxmox). */
    | 'other-cluster'
    /** The disks the action copies are not the ones on storage the destination does not reach. */
    | 'storage-copy'
  /** In English (logs, the CLI's JSON), and as a message for the reader's language. */
  message: string
  messageRef: MessageRef
  actionIndex?: number
}

export interface PlanCheck {
  ok: boolean
  violations: PlanViolation[]
}

interface VmState {
  host: string
  vcpus: number
  maxVcpus: number
  memoryMiB: number
  maxMemoryMiB: number
  counted: boolean
}

export function validatePlan(
  snapshot: Snapshot,
  plan: readonly ReversibleAction[],
  options: EngineOptions,
  history: History = { vms: {} },
  now: number = snapshot.t,
  storage?: StorageContext,
): PlanCheck {
  const violations: PlanViolation[] = []
  const hosts = new Map(snapshot.hosts.map((h) => [h.id, h]))
  const vms = new Map<string, VmState>(
    snapshot.vms.map((v) => [
      v.id,
      {
        host: v.hostId,
        vcpus: v.allocation.vcpus,
        maxVcpus: v.allocation.maxVcpus,
        memoryMiB: v.allocation.memoryMiB,
        maxMemoryMiB: v.allocation.maxMemoryMiB,
        counted: v.state === 'running' || v.state === 'paused',
      },
    ]),
  )
  const { rules, balance } = options
  const external = externallyManaged(snapshot, rules)
  const managers = new Map(snapshot.vms.filter((v) => v.managedBy).map((v) => [v.id, v]))
  /** Another manager's VM is never changed; the admin's own exclusions only keep a VM from moving. */
  const foreign = (vmId: string, i: number) => {
    const v = managers.get(vmId)
    if (v) violations.push({ code: 'externally-managed', actionIndex: i, ...said({ message: msg('engine.violation.managed', { vm: vmId, manager: MANAGER_NAMES[v.managedBy!.manager], ref: v.managedBy!.ref }) }) })
    return v !== undefined
  }
  const hostTotals = (hostId: string) => {
    let vcpus = 0
    let mem = 0
    for (const vm of vms.values()) if (vm.host === hostId && vm.counted) {
      vcpus += vm.vcpus
      mem += vm.memoryMiB
    }
    return { vcpus, mem }
  }
  const checkHostLimits = (hostId: string, i: number) => {
    const host = hosts.get(hostId)
    if (!host) return
    const { vcpus, mem } = hostTotals(hostId)
    const limit = limitsOf(host, options)
    if (vcpus > limit.vcpus + 1e-9)
      violations.push({ code: 'vcpu-overcommit', actionIndex: i, ...said({ message: msg('engine.violation.vcpuOvercommit', { host: hostId, vcpus, limit: limit.vcpus, ratio: limit.cpuRatio }) }) })
    if (mem > limit.memMiB + 1e-6)
      violations.push({ code: 'memory-overcommit', actionIndex: i, ...said({ message: msg('engine.violation.memoryOvercommit', { host: hostId, mib: Math.round(mem), limit: Math.round(limit.memMiB), ratio: limit.memRatio }) }) })
  }
  const mustMove = vmsRulesMove(snapshot, options)
  const requiredMoves = countRequiredMoves(snapshot, options)
  const excluded = new Set(rules.excluded ?? [])
  let migrations = 0
  /** Bytes the plan's copies put into each destination pool so far. */
  const copied = new Map<string, number>()

  plan.forEach(({ action, rollback }, i) => {
    if (!rollbackUndoes(action, rollback, vms))
      violations.push({ code: 'bad-rollback', actionIndex: i, ...said({ message: msg('engine.violation.badRollback', { kind: action.kind }) }) })
    if (action.kind === 'setHostTuning') {
      if (!hosts.has(action.host)) violations.push({ code: 'unknown-host', actionIndex: i, ...said({ message: msg('engine.violation.noHost', { host: action.host }) }) })
      return
    }
    const vm = vms.get(action.vm)
    if (!vm) {
      violations.push({ code: 'unknown-vm', actionIndex: i, ...said({ message: msg('engine.violation.noVm', { vm: action.vm }) }) })
      return
    }
    if (action.kind !== 'migrate') foreign(action.vm, i)
    switch (action.kind) {
      case 'migrate': {
        migrations++
        if (vm.host !== action.from) violations.push({ code: 'wrong-source-host', actionIndex: i, ...said({ message: msg('engine.violation.wrongSource', { vm: action.vm, host: vm.host, from: action.from }) }) })
        const to = hosts.get(action.to)
        if (!to) {
          violations.push({ code: 'unknown-host', actionIndex: i, ...said({ message: msg('engine.violation.noHost', { host: action.to }) }) })
          return
        }
        if (!foreign(action.vm, i) && external.has(action.vm)) violations.push({ code: 'externally-managed', actionIndex: i, ...said({ message: msg('engine.violation.otherBalancer', { vm: action.vm }) }) })
        if (excluded.has(action.vm) && !mustMove.has(action.vm)) violations.push({ code: 'excluded', actionIndex: i, ...said({ message: msg('engine.violation.excluded', { vm: action.vm }) }) })
        if (to.state === 'maintenance') violations.push({ code: 'maintenance-target', actionIndex: i, ...said({ message: msg('engine.violation.maintenance', { host: action.to }) }) })
        const from = hosts.get(action.from)
        if (from && (from.cluster?.id ?? '') !== (to.cluster?.id ?? '')) {
          const clusterWords = (h: typeof to) => (h.cluster ? `${h.cluster.name}, ${h.cluster.via}` : 'libvirt')
          violations.push({ code: 'other-cluster', actionIndex: i, ...said({ message: msg('engine.violation.otherCluster', { vm: action.vm, from: action.from, fromCluster: clusterWords(from), to: action.to, toCluster: clusterWords(to) }) }) })
        }
        const pins = rules.pinned[action.vm]
        if (pins && !pins.includes(action.to)) violations.push({ code: 'pinned', actionIndex: i, ...said({ message: msg('engine.violation.pinned', { vm: action.vm, hosts: pins.join(', ') }) }) })
        const cameFrom = (history.recentMigrations ?? []).some(
          (m) => m.vmId === action.vm && m.from === action.to && m.t <= now && now - m.t < balance.cooldownMs,
        )
        if (cameFrom) violations.push({ code: 'cooldown', actionIndex: i, ...said({ message: msg('engine.violation.cooldown', { vm: action.vm, host: action.to }) }) })
        const disks = storage && vm.host === action.from ? planMigrationStorage(action.vm, action.from, action.to, storage) : undefined
        if (disks && !disks.ok) violations.push({ code: 'storage-refused', actionIndex: i, ...said({ message: msg('engine.violation.storageRefused', { vm: action.vm, host: action.to, reason: disks.reasonRef }) }) })
        if (disks?.ok) {
          const want = [...disks.copyDisks].sort().join(',')
          const got = [...(action.copyDisks ?? [])].sort().join(',')
          if (want !== got) violations.push({ code: 'storage-copy', actionIndex: i, ...said({ message: msg('engine.violation.storageCopy', { vm: action.vm, host: action.to, want, got }) }) })
          for (const n of disks.needs) {
            const total = (copied.get(n.pool) ?? 0) + n.bytes
            copied.set(n.pool, total)
            if (total > n.free + 1e-6) violations.push({ code: 'storage-refused', actionIndex: i, ...said({ message: msg('engine.violation.poolOverfilled', { pool: n.pool, total: Math.round(total / 2 ** 30), free: Math.round(n.free / 2 ** 30) }) }) })
          }
        }
        vm.host = action.to
        checkHostLimits(action.to, i)
        return
      }
      case 'setVcpus':
        if (action.count < 1) violations.push({ code: 'below-one-vcpu', actionIndex: i, ...said({ message: msg('engine.violation.belowOneVcpu', { vm: action.vm, vcpus: action.count }) }) })
        if (action.live && action.count > vm.maxVcpus) violations.push({ code: 'above-max-live', actionIndex: i, ...said({ message: msg('engine.violation.aboveMaxVcpus', { vcpus: action.count, max: vm.maxVcpus }) }) })
        vm.vcpus = action.count
        checkHostLimits(vm.host, i)
        return
      case 'setMaxVcpus':
        vm.maxVcpus = action.count
        return
      case 'setMemory': {
        if (action.live && action.memoryMiB > vm.maxMemoryMiB) violations.push({ code: 'above-max-live', actionIndex: i, ...said({ message: msg('engine.violation.aboveMaxMemory', { mib: action.memoryMiB, max: vm.maxMemoryMiB }) }) })
        const series = history.vms[action.vm]
        const peak = series ? Math.max(0, ...series.memUsedMiB) : 0
        const floor = peak * (1 + options.rightsize.memHeadroom)
        // Growth the host's allocation ratio holds back may stay under the floor: it still adds memory.
        if (action.memoryMiB + 1e-6 < floor && action.memoryMiB < vm.memoryMiB)
          violations.push({ code: 'below-peak-memory', actionIndex: i, ...said({ message: msg('engine.violation.belowPeak', { mib: action.memoryMiB, peak: Math.round(peak), headroom: options.rightsize.memHeadroom * 100 }) }) })
        vm.memoryMiB = action.memoryMiB
        checkHostLimits(vm.host, i)
        return
      }
      case 'setMaxMemory':
        vm.maxMemoryMiB = action.memoryMiB
        return
      case 'setCpuShares':
        if (action.shares < 2 || action.shares > 262144) violations.push({ code: 'bad-shares', actionIndex: i, ...said({ message: msg('engine.violation.badShares', { shares: action.shares }) }) })
        return
      case 'setVmDevice':
        return
    }
  })

  if (migrations > balance.maxMigrations + requiredMoves)
    violations.push({ code: 'over-migration-budget', ...said({ message: msg('engine.violation.overBudget', { migrations, budget: balance.maxMigrations, mandatory: requiredMoves }) }) })
  violations.push(...endStateViolations(snapshot, vms, options))
  return { ok: violations.length === 0, violations }
}

function endStateViolations(snapshot: Snapshot, vms: Map<string, VmState>, options: EngineOptions): PlanViolation[] {
  const out: PlanViolation[] = []
  const maintenance = new Set(snapshot.hosts.filter((h) => h.state === 'maintenance').map((h) => h.id))
  for (const [id, vm] of vms)
    if (vm.counted && maintenance.has(vm.host)) out.push({ code: 'left-on-maintenance-host', ...said({ message: msg('engine.violation.leftOnMaintenance', { vm: id, host: vm.host }) }) })
  for (const [id, pins] of Object.entries(options.rules.pinned)) {
    const vm = vms.get(id)
    if (vm && vm.counted && !pins.includes(vm.host)) out.push({ code: 'pinned', ...said({ message: msg('engine.violation.endsUnpinned', { vm: id, host: vm.host, hosts: pins.join(', ') }) }) })
  }
  for (const group of options.rules.affinity) {
    const where = new Set(group.flatMap((id) => (vms.get(id)?.counted ? [vms.get(id)!.host] : [])))
    if (where.size > 1) out.push({ code: 'affinity', ...said({ message: msg('engine.violation.affinity', { vms: group.join(', '), hosts: [...where].join(', ') }) }) })
  }
  for (const group of options.rules.antiAffinity) {
    const seen = new Map<string, string>()
    for (const id of group) {
      const vm = vms.get(id)
      if (!vm || !vm.counted) continue
      const other = seen.get(vm.host)
      if (other) out.push({ code: 'anti-affinity', ...said({ message: msg('engine.violation.antiAffinity', { a: other, b: id, host: vm.host }) }) })
      seen.set(vm.host, id)
    }
  }
  for (const host of snapshot.hosts) {
    let vcpus = 0
    let mem = 0
    for (const vm of vms.values()) if (vm.host === host.id && vm.counted) {
      vcpus += vm.vcpus
      mem += vm.memoryMiB
    }
    const limit = limitsOf(host, options)
    if (vcpus > limit.vcpus + 1e-9)
      out.push({ code: 'vcpu-overcommit', ...said({ message: msg('engine.violation.endsVcpuOvercommit', { host: host.id, vcpus, limit: limit.vcpus, ratio: limit.cpuRatio }) }) })
    if (mem > limit.memMiB + 1e-6)
      out.push({ code: 'memory-overcommit', ...said({ message: msg('engine.violation.endsMemoryOvercommit', { host: host.id, mib: Math.round(mem), limit: Math.round(limit.memMiB), ratio: limit.memRatio }) }) })
  }
  return out
}

/**
 * VMs a hard rule, maintenance or a host over its limits may move although the admin excluded
 * them from balancing: on a host in maintenance or over its limits, off their pinned hosts, in an
 * affinity or anti-affinity group.
 */
function vmsRulesMove(snapshot: Snapshot, options: EngineOptions): Set<string> {
  const running = snapshot.vms.filter((v) => v.state === 'running' || v.state === 'paused')
  const maintenance = new Set(snapshot.hosts.filter((h) => h.state === 'maintenance').map((h) => h.id))
  const out = new Set<string>([...options.rules.affinity, ...options.rules.antiAffinity].flat())
  for (const vm of running) {
    const pins = options.rules.pinned[vm.id]
    if (maintenance.has(vm.hostId) || (pins && !pins.includes(vm.hostId))) out.add(vm.id)
  }
  for (const host of snapshot.hosts) {
    const here = running.filter((v) => v.hostId === host.id)
    const limit = limitsOf(host, options)
    if (here.reduce((a, v) => a + v.allocation.vcpus, 0) > limit.vcpus || here.reduce((a, v) => a + v.allocation.memoryMiB, 0) > limit.memMiB) for (const v of here) out.add(v.id)
  }
  return out
}

/** Moves the rules force (maintenance, pinning, anti-affinity, limits, should-run rules): not counted in the budget. */
function countRequiredMoves(snapshot: Snapshot, options: EngineOptions): number {
  const running = snapshot.vms.filter((v) => v.state === 'running' || v.state === 'paused')
  const maintenance = new Set(snapshot.hosts.filter((h) => h.state === 'maintenance').map((h) => h.id))
  let n = 0
  for (const vm of running) {
    const pins = options.rules.pinned[vm.id]
    const preferred = options.rules.preferred?.[vm.id]
    if (maintenance.has(vm.hostId) || (pins && !pins.includes(vm.hostId)) || (preferred && preferred.length > 0 && !preferred.includes(vm.hostId))) n++
  }
  for (const group of [...options.rules.antiAffinity, ...options.rules.affinity]) n += group.length
  for (const host of snapshot.hosts) {
    const here = running.filter((v) => v.hostId === host.id)
    const vcpus = here.reduce((a, v) => a + v.allocation.vcpus, 0)
    const mem = here.reduce((a, v) => a + v.allocation.memoryMiB, 0)
    const limit = limitsOf(host, options)
    if (vcpus > limit.vcpus || mem > limit.memMiB) n += here.length
  }
  return n
}

/** A host's allocation limits: its own ratios (Settings) where it has them, else the cluster-wide ones. */
function limitsOf(host: Host, options: EngineOptions): { vcpus: number; memMiB: number; cpuRatio: number; memRatio: number } {
  const cpuRatio = host.allocationRatio?.cpu ?? options.balance.cpuOvercommit
  const memRatio = host.allocationRatio?.memory ?? options.balance.memOvercommit
  return { vcpus: host.cpu.threads * cpuRatio, memMiB: host.memoryMiB * memRatio, cpuRatio, memRatio }
}

/** The rollback must put back exactly what the action changed. */
function rollbackUndoes(action: Action, rollback: Action, vms: Map<string, VmState>): boolean {
  if (action.kind === 'setHostTuning' || action.kind === 'setVmDevice' || action.kind === 'setCpuShares')
    return rollback.kind === action.kind && 'host' in rollback && rollback.host === action.host
  const vm = vms.get(action.vm)
  if (!vm) return true
  switch (action.kind) {
    case 'migrate':
      return rollback.kind === 'migrate' && rollback.vm === action.vm && rollback.from === action.to && rollback.to === action.from
    case 'setVcpus':
      return rollback.kind === 'setVcpus' && rollback.vm === action.vm && rollback.count === vm.vcpus
    case 'setMaxVcpus':
      return rollback.kind === 'setMaxVcpus' && rollback.vm === action.vm && rollback.count === vm.maxVcpus
    case 'setMemory':
      return rollback.kind === 'setMemory' && rollback.vm === action.vm && rollback.memoryMiB === vm.memoryMiB
    case 'setMaxMemory':
      return rollback.kind === 'setMaxMemory' && rollback.vm === action.vm && rollback.memoryMiB === vm.maxMemoryMiB
  }
}
