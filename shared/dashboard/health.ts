/**
 * Health score of a host and of the cluster, 0 (bad) to 100 (nothing to worry about).
 *
 * Host: 100 minus penalties, each capped, from the last few minutes of samples:
 *   CPU busy above 75 %            -> 1.2 points per % above 75  (at most 30)
 *   memory used above 80 %         -> 1.5 points per % above 80  (at most 30)
 *   CPU ready of its VMs (vCPU-weighted mean) -> 4 points per %  (at most 30)
 *   memory pressure: each running VM using >= 95 % of its allocated memory -> 5 points (at most 20)
 * A host that is not connected scores 0; a host without samples has no score (null).
 * CPU and memory count the higher of the window's mean and the latest sample, so a host the
 * views show hot now is never "healthy"; from 70 % CPU (75 % memory) they are listed as a
 * warning even before points come off.
 * Cluster: the mean of the host scores weighted by logical CPUs (a big host counts more), where
 * a disconnected host counts as 0; its reasons are the hosts' reasons, worst first.
 */

export type HealthReasonCode = 'offline' | 'no-data' | 'cpu' | 'memory' | 'cpu-ready' | 'memory-pressure'

export interface HealthReason {
  code: HealthReasonCode
  /** The measured figure behind the reason: % for cpu, memory and cpu-ready; a VM count for memory-pressure. */
  value: number
  /** Points taken off the score. */
  penalty: number
  hostId?: string
}

export interface HostHealthInput {
  hostId: string
  online: boolean
  /** False when the host has no recent sample. */
  sampled: boolean
  cpuPct: number
  memPct: number
  /** vCPU-weighted mean CPU ready of its running VMs, %. */
  readyPct: number
  /** Running VMs using at least PRESSURE_THRESHOLD_PCT of their allocated memory. */
  pressuredVms: number
}

export interface Health {
  score: number | null
  reasons: HealthReason[]
}

export const HEALTH_RULES = {
  cpu: { warnFrom: 70, from: 75, perPct: 1.2, max: 30 },
  memory: { warnFrom: 75, from: 80, perPct: 1.5, max: 30 },
  ready: { perPct: 4, max: 30 },
  pressure: { perVm: 5, max: 20 },
} as const

/** A VM using this share of its allocated memory or more is under memory pressure. */
export const PRESSURE_THRESHOLD_PCT = 95

const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value))
const round1 = (value: number) => Math.round(value * 10) / 10

export function hostHealth(input: HostHealthInput): Health {
  if (!input.online) return { score: 0, reasons: [{ code: 'offline', value: 0, penalty: 100, hostId: input.hostId }] }
  if (!input.sampled) return { score: null, reasons: [{ code: 'no-data', value: 0, penalty: 0, hostId: input.hostId }] }
  const candidates: HealthReason[] = [
    { code: 'cpu', value: input.cpuPct, penalty: clamp((input.cpuPct - HEALTH_RULES.cpu.from) * HEALTH_RULES.cpu.perPct, HEALTH_RULES.cpu.max) },
    { code: 'memory', value: input.memPct, penalty: clamp((input.memPct - HEALTH_RULES.memory.from) * HEALTH_RULES.memory.perPct, HEALTH_RULES.memory.max) },
    { code: 'cpu-ready', value: input.readyPct, penalty: clamp(input.readyPct * HEALTH_RULES.ready.perPct, HEALTH_RULES.ready.max) },
    { code: 'memory-pressure', value: input.pressuredVms, penalty: clamp(input.pressuredVms * HEALTH_RULES.pressure.perVm, HEALTH_RULES.pressure.max) },
  ]
  const warns = (r: HealthReason) => (r.code === 'cpu' && r.value >= HEALTH_RULES.cpu.warnFrom) || (r.code === 'memory' && r.value >= HEALTH_RULES.memory.warnFrom)
  const reasons = candidates
    .filter((r) => r.penalty >= 0.5 || warns(r))
    .map((r) => ({ ...r, value: round1(r.value), penalty: round1(r.penalty), hostId: input.hostId }))
    .sort((a, b) => b.penalty - a.penalty || b.value - a.value)
  const score = Math.round(100 - reasons.reduce((sum, r) => sum + r.penalty, 0))
  return { score: Math.max(0, score), reasons }
}

/** Cluster score: host scores weighted by logical CPUs; hosts without data do not count. */
export function clusterHealth(hosts: readonly { health: Health; threads: number }[]): Health {
  let weighted = 0
  let weight = 0
  for (const { health, threads } of hosts) {
    if (health.score === null) continue
    weighted += health.score * threads
    weight += threads
  }
  const reasons = hosts
    .flatMap((h) => h.health.reasons)
    .filter((r) => r.code !== 'no-data')
    .sort((a, b) => b.penalty - a.penalty || b.value - a.value)
  return { score: weight > 0 ? Math.round(weighted / weight) : null, reasons }
}

/** good >= 80, fair >= 60, poor below; for colours and words. */
export function healthLevel(score: number | null): 'good' | 'fair' | 'poor' | 'unknown' {
  if (score === null) return 'unknown'
  return score >= 80 ? 'good' : score >= 60 ? 'fair' : 'poor'
}
