import { english, msg } from '../../i18n'
import type { MessageRef } from '../../model/recommendation'
import { bestDestination, preferredDestination } from './constraints'
import type { MoveLog } from './moves'
import type { ClusterState } from './state'

/** A rule or limit a unit breaks, in words and as a message key. */
export interface Violation {
  unit: number
  reason: string
  /** The reason as a message (what an infeasible plan says it could not fix). */
  reasonRef: MessageRef
  ref: MessageRef
  /** A should-run rule: fixed only where a preferred host has room, never reported as infeasible. */
  soft?: boolean
}

const ruleWords = (name: string | undefined) => (name ? ` (rule ${name})` : '')
/** The rule's name as a message of its own ("(rule x)"), or nothing when the constraint has no named rule. */
const ruleRef = (name: string | undefined): MessageRef | string => (name ? { key: 'engine.required.rule', params: { rule: name } } : '')

/** What phase 1 could not fix, and the should-run rules it left unmet, as messages (in the order of the English lists). */
export interface Findings {
  unresolved: MessageRef[]
  notes: MessageRef[]
}

/**
 * Phase 1: the mandatory moves (maintenance, pinning, affinity, anti-affinity, overcommit limits),
 * each to the host that leaves the cluster most even. Bounded: each unit is fixed or marked stuck
 * at most once per violation. Returns what no host could take, in words.
 */
export function fixViolations(state: ClusterState, log: MoveLog, stuck: Set<number>, notes: string[] = [], findings: Findings = { unresolved: [], notes: [] }): string[] {
  const unresolved: string[] = []
  // Units whose should-run rule no preferred host can meet: left where they are, said once.
  const unmet = new Set<number>()
  for (let guard = 0; guard < state.problem.vms.length * 3 + 10; guard++) {
    const violation = nextViolation(state, stuck, unmet)
    if (!violation) break
    const { unit, reason, reasonRef } = violation
    const to = violation.soft ? preferredDestination(state, unit) : bestDestination(state, unit, true)
    if (to === null) {
      if (violation.soft) {
        unmet.add(unit)
        notes.push(`${reason}: none of those hosts can take ${state.unitNames(unit)} within capacity and rules, so it stays`)
        findings.notes.push(msg('engine.infeasible.stays', { reason: reasonRef, vms: state.unitNames(unit) }))
        continue
      }
      stuck.add(unit)
      unresolved.push(`${reason}: no host can take ${state.unitNames(unit)} within capacity and rules${storageNote(state, unit)}`)
      findings.unresolved.push(msg('engine.infeasible.noHost', { reason: reasonRef, vms: state.unitNames(unit), storage: storageNoteRef(state, unit) }))
      continue
    }
    log.record(unit, to, true, reason, violation.ref, violation.soft)
  }
  return unresolved
}

/** The next unit that breaks a rule or limit (should-run rules last), with the reason; null when none do. */
export function nextViolation(state: ClusterState, skip: Set<number>, unmet: Set<number> = new Set()): Violation | null {
  return ruleViolation(state, skip) ?? overLimitViolation(state, skip) ?? softViolation(state, skip, unmet)
}

/** The first unit with a VM off the hosts a should-run rule prefers. */
function softViolation(state: ClusterState, skip: Set<number>, unmet: Set<number>): Violation | null {
  for (let u = 0; u < state.units.length; u++) {
    if (skip.has(u) || unmet.has(u) || !state.movable(u)) continue
    for (const v of state.units[u]!) {
      const vm = state.problem.vms[v]!
      const host = state.problem.hosts[state.vmHost[v]!]!
      if (vm.preferredHosts && vm.preferredHosts.length > 0 && !vm.preferredHosts.includes(host.id)) {
        const rule = state.problem.ruleNames?.preferred?.[vm.id]
        const hosts = vm.preferredHosts.join(', ')
        return { unit: u, soft: true, reason: `${vm.id} should run on ${hosts}${ruleWords(rule)}`, reasonRef: msg('engine.violated.preferred', { vm: vm.id, hosts, rule: ruleRef(rule) }), ref: { key: 'engine.required.preferred', params: { vm: vm.id, hosts, rule: ruleRef(rule) } } }
      }
    }
  }
  return null
}

/** The first unit on a host in maintenance, off its pinned hosts, next to an anti-affine VM or split from its affine ones. */
function ruleViolation(state: ClusterState, skip: Set<number>): Violation | null {
  for (let u = 0; u < state.units.length; u++) {
    if (skip.has(u) || !state.movable(u)) continue
    for (const v of state.units[u]!) {
      const vm = state.problem.vms[v]!
      const host = state.problem.hosts[state.vmHost[v]!]!
      const names = state.problem.ruleNames
      if (host.maintenance) return { unit: u, reason: `host ${host.id} is in maintenance`, reasonRef: msg('engine.violated.maintenance', { host: host.id }), ref: { key: 'engine.required.maintenance', params: { vm: vm.id, host: host.id } } }
      if (vm.allowedHosts && !vm.allowedHosts.includes(host.id)) {
        const rule = names?.pinned?.[vm.id]
        const hosts = vm.allowedHosts.join(', ')
        return { unit: u, reason: `${vm.id} is pinned to ${hosts}${ruleWords(rule)}`, reasonRef: msg('engine.violated.pinned', { vm: vm.id, hosts, rule: ruleRef(rule) }), ref: { key: 'engine.required.pinned', params: { vm: vm.id, hosts, rule: ruleRef(rule) } } }
      }
      for (const g of state.antiGroupsOf[v]!)
        if (state.antiCount[g]![state.vmHost[v]!]! > 1 && firstOfGroupHere(state, g, state.vmHost[v]!) !== v && clashes(state, g, v)) {
          const rule = names?.antiAffinity?.[g]
          return { unit: u, reason: `${vm.id} shares host ${host.id} with an anti-affine VM${ruleWords(rule)}`, reasonRef: msg('engine.violated.antiAffinity', { vm: vm.id, host: host.id, rule: ruleRef(rule) }), ref: { key: 'engine.required.antiAffinity', params: { vm: vm.id, host: host.id, rule: ruleRef(rule) } } }
        }
    }
    if (state.unitSplit(u)) {
      const ids = new Set(state.units[u]!.map((v) => state.problem.vms[v]!.id))
      const g = state.problem.affinity.findIndex((group) => group.some((id) => ids.has(id)))
      const rule = g >= 0 ? state.problem.ruleNames?.affinity?.[g] : undefined
      return { unit: u, reason: `${state.unitNames(u)} must run together (affinity)${ruleWords(rule)}`, reasonRef: msg('engine.violated.affinity', { vms: state.unitNames(u), rule: ruleRef(rule) }), ref: { key: 'engine.required.affinity', params: { vms: state.unitNames(u), rule: ruleRef(rule) } } }
    }
  }
  return null
}

/** A unit to move off the first host over its vCPU or memory overcommit limit. */
function overLimitViolation(state: ClusterState, skip: Set<number>): Violation | null {
  for (let h = 0; h < state.problem.hosts.length; h++) {
    const host = state.problem.hosts[h]!
    const overV = state.vcpus[h]! - host.vcpuLimit
    const overM = state.memAlloc[h]! - host.memAllocLimitMiB
    if (overV <= 1e-9 && overM <= 1e-9) continue
    // Fewest moves: a unit that removes most of the excess (up to all of it); among those, the
    // one whose move leaves the cluster most even, then the cheapest to move.
    const candidates = state.units.flatMap((members, u) => {
      if (skip.has(u) || !state.movable(u)) return []
      let vcpus = 0, alloc = 0, used = 0, here = false
      for (const v of members) {
        if (state.vmHost[v] !== h) continue
        here = true
        const vm = state.problem.vms[v]!
        vcpus += vm.vcpus
        alloc += vm.memoryMiB
        used += vm.memUsedMiB
      }
      if (!here) return []
      const cover = (overV > 1e-9 ? Math.min(vcpus, overV) / overV : 0) + (overM > 1e-9 ? Math.min(alloc, overM) / overM : 0)
      return [{ u, cover, used }]
    })
    candidates.sort((x, y) => y.cover - x.cover)
    let pick: { u: number; cover: number; used: number } | undefined
    let pickObjective = Infinity
    for (const c of candidates) {
      if (pick && c.cover < pick.cover - 1e-9) continue
      const to = bestDestination(state, c.u, false)
      if (to === null) continue
      const objective = state.objectiveAfter(c.u, to)
      const better = !pick || c.cover > pick.cover + 1e-9 || objective < pickObjective - 1e-12 || (objective <= pickObjective + 1e-12 && c.used < pick.used)
      if (better) { pick = c; pickObjective = objective }
    }
    pick ??= candidates[0]
    if (pick) return { unit: pick.u, reason: `host ${host.id} is over its overcommit limit`, reasonRef: msg('engine.violated.overLimit', { host: host.id }), ref: { key: 'engine.required.overLimit', params: { host: host.id } } }
  }
  return null
}

/** The group member that stays on h: one another balancer manages if there is one (it cannot move), else the first. */
function firstOfGroupHere(state: ClusterState, g: number, h: number): number {
  let first = -1
  for (const id of state.problem.antiAffinity[g]!) {
    const v = state.vmIndex.get(id) ?? -1
    if (v < 0 || state.vmHost[v] !== h) continue
    if (!state.problem.vms[v]!.movable) return v
    if (first < 0) first = v
  }
  return first
}

/** Whether another member of anti-affinity group g shares v's host outside v's affinity unit (inside it, moving cannot help). */
function clashes(state: ClusterState, g: number, v: number): boolean {
  const h = state.vmHost[v]!
  for (const id of state.problem.antiAffinity[g]!) {
    const w = state.vmIndex.get(id)
    if (w !== undefined && w !== v && state.vmHost[w] === h && state.unitOf[w] !== state.unitOf[v]) return true
  }
  return false
}

/**
 * Rules no move here can fix, reported rather than chased: VMs another balancer manages, and
 * VMs that are both affine and anti-affine.
 */
export function unfixableViolations(state: ClusterState, refs: MessageRef[] = []): string[] {
  const out: string[] = []
  state.problem.antiAffinity.forEach((group) => {
    const ids = [...new Set(group)].filter((id) => state.vmIndex.has(id))
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++)
        if (state.unitOf[state.vmIndex.get(ids[i]!)!] === state.unitOf[state.vmIndex.get(ids[j]!)!]) {
          out.push(`${ids[i]} and ${ids[j]} must run together (affinity) and apart (anti-affinity)`)
          refs.push(msg('engine.infeasible.bothRules', { a: ids[i]!, b: ids[j]! }))
        }
  })
  state.problem.vms.forEach((vm, v) => {
    if (vm.movable) return
    const h = state.vmHost[v]!
    const host = state.problem.hosts[h]!
    if (host.maintenance) {
      out.push(`host ${host.id} is in maintenance: ${vm.id} is managed by another balancer`)
      refs.push(msg('engine.infeasible.maintenanceManaged', { host: host.id, vm: vm.id }))
    } else if (vm.allowedHosts && !vm.allowedHosts.includes(host.id)) {
      out.push(`${vm.id} is pinned to ${vm.allowedHosts.join(', ')}: it is managed by another balancer`)
      refs.push(msg('engine.infeasible.pinnedManaged', { vm: vm.id, hosts: vm.allowedHosts.join(', ') }))
    } else if (state.antiGroupsOf[v]!.some((g) => state.antiCount[g]![h]! > 1 && firstOfGroupHere(state, g, h) !== v && clashes(state, g, v))) {
      out.push(`${vm.id} shares host ${host.id} with an anti-affine VM another balancer also manages`)
      refs.push(msg('engine.infeasible.antiManaged', { vm: vm.id, host: host.id }))
    }
  })
  state.units.forEach((members, u) => {
    if (!state.movable(u) && state.unitSplit(u)) {
      out.push(`${state.unitNames(u)} must run together (affinity): another balancer manages some of them`)
      refs.push(msg('engine.infeasible.togetherManaged', { vms: state.unitNames(u) }))
    }
  })
  return out
}

/** The same as a message. */
function storageNoteRef(state: ClusterState, u: number): MessageRef | string {
  const clauses = state.units[u]!.flatMap((v) => Object.entries(state.problem.vms[v]!.storageRefusals ?? {}).map(([host, why]) => msg('engine.infeasible.storageHost', { host, why })))
  return clauses.length > 0 ? msg('engine.infeasible.storage', { clauses }) : ''
}

/** Why storage rules hosts out for the unit's VMs, to add to an unresolved violation. */
function storageNote(state: ClusterState, u: number): string {
  const notes = state.units[u]!.flatMap((v) => Object.entries(state.problem.vms[v]!.storageRefusals ?? {}).map(([host, why]) => `${host}: ${english(why)}`))
  return notes.length > 0 ? `; storage: ${notes.join('; ')}` : ''
}
