import { affinityUnits, summarizeLoads, type LoadSummary, type PlacementProblem } from '../placement'
import type { MipSolver } from '../solver'

export type ExactGoal =
  /** Lowest weighted peak load with at most `maxMoves` migrations. */
  | { kind: 'minPeak'; maxMoves: number }
  /** Fewest migrations that bring every host to at most `targetLoad`. */
  | { kind: 'minMoves'; targetLoad: number }

export interface ExactResult {
  status: 'optimal' | 'timedout' | 'infeasible' | 'failed'
  /** vmId -> hostId; empty unless a solution exists. */
  assignment: Record<string, string>
  moves: { vmId: string; from: string; to: string }[]
  summary: LoadSummary | null
  solverStatus: string
}

/**
 * The placement as a mixed-integer model: x[u][h] = 1 when unit u (VMs tied by affinity) runs
 * on host h. Only allowed pairs get a variable, so pinning, maintenance, cooldown and
 * externally-managed VMs are encoded by absence.
 */
export function buildExactModel(problem: PlacementProblem, goal: ExactGoal): { lp: string; columns: Map<string, [number, number]> } {
  const { hosts, vms } = problem
  const vmIndex = new Map(vms.map((v, i) => [v.id, i]))
  const units = affinityUnits(vms.length, problem.affinity.map((g) => g.flatMap((id) => vmIndex.get(id) ?? [])))
  const columns = new Map<string, [number, number]>()
  const allowed: number[][] = units.map((members, u) => {
    const movable = members.every((v) => vms[v]!.movable)
    const here = new Set(members.map((v) => vms[v]!.hostId))
    const ok = hosts
      .map((h, i) => ({ h, i }))
      .filter(({ h }) => {
        if (!movable) return here.has(h.id) && here.size === 1
        if (h.maintenance) return false
        return members.every((v) => {
          const vm = vms[v]!
          if (vm.allowedHosts && !vm.allowedHosts.includes(h.id)) return false
          return vm.hostId === h.id || !vm.cooldownHosts.includes(h.id)
        })
      })
      .map(({ i }) => i)
    for (const h of ok) columns.set(`x${u}_${h}`, [u, h])
    return ok
  })
  const w = problem.cpuWeight + problem.memWeight
  const movesOf = (u: number, h: number) => units[u]!.filter((v) => vms[v]!.hostId !== hosts[h]!.id).length
  const moveTerms: string[] = []
  units.forEach((_, u) => allowed[u]!.forEach((h) => {
    const m = movesOf(u, h)
    if (m > 0) moveTerms.push(`${m} x${u}_${h}`)
  }))

  const rows: string[] = []
  units.forEach((_, u) => rows.push(`one${u}: ${allowed[u]!.map((h) => `x${u}_${h}`).join(' + ') || '0 Lc'} = 1`))
  hosts.forEach((host, h) => {
    const cpu: string[] = []
    const mem: string[] = []
    const vcpu: string[] = []
    const alloc: string[] = []
    units.forEach((members, u) => {
      if (!allowed[u]!.includes(h)) return
      const c = members.reduce((a, v) => a + vms[v]!.cpuClaim, 0) / host.cpuCores
      const m = members.reduce((a, v) => a + vms[v]!.memClaim, 0) / host.memMiB
      cpu.push(`${num(c)} x${u}_${h}`)
      mem.push(`${num(m)} x${u}_${h}`)
      vcpu.push(`${members.reduce((a, v) => a + vms[v]!.vcpus, 0)} x${u}_${h}`)
      alloc.push(`${num(members.reduce((a, v) => a + vms[v]!.memoryMiB, 0))} x${u}_${h}`)
    })
    if (cpu.length === 0) return
    if (!host.maintenance) {
      const capC = goal.kind === 'minPeak' ? ' - Lc <= 0' : ` <= ${num(goal.targetLoad)}`
      const capM = goal.kind === 'minPeak' ? ' - Lm <= 0' : ` <= ${num(goal.targetLoad)}`
      rows.push(`cpu${h}: ${cpu.join(' + ')}${capC}`)
      rows.push(`mem${h}: ${mem.join(' + ')}${capM}`)
    }
    rows.push(`vcpu${h}: ${vcpu.join(' + ')} <= ${num(host.vcpuLimit)}`)
    rows.push(`alloc${h}: ${alloc.join(' + ')} <= ${num(host.memAllocLimitMiB)}`)
  })
  problem.antiAffinity.forEach((group, g) => {
    const inGroup = new Set(group.flatMap((id) => vmIndex.get(id) ?? []))
    hosts.forEach((_, h) => {
      const terms = units.flatMap((members, u) => {
        const n = members.filter((v) => inGroup.has(v)).length
        return n > 0 && allowed[u]!.includes(h) ? [`${n} x${u}_${h}`] : []
      })
      if (terms.length > 1) rows.push(`anti${g}_${h}: ${terms.join(' + ')} <= 1`)
    })
  })
  if (goal.kind === 'minPeak' && moveTerms.length > 0) rows.push(`moves: ${moveTerms.join(' + ')} <= ${goal.maxMoves}`)

  // Tiny move penalty: among equal peaks prefer fewer migrations.
  const objective =
    goal.kind === 'minPeak'
      ? [`${num(problem.cpuWeight / w)} Lc`, `${num(problem.memWeight / w)} Lm`, ...moveTerms.map((t) => `${scaleTerm(t, 1e-6)}`)]
      : moveTerms.length > 0 ? moveTerms : ['0 Lc']
  const lp = [
    'Minimize',
    ` obj: ${wrap(objective)}`,
    'Subject To',
    ...rows.map((r) => ` ${wrap(r.split(' + '))}`),
    'Bounds',
    ' Lc >= 0',
    ' Lm >= 0',
    'Binary',
    ...wrapList([...columns.keys()]),
    'End',
  ].join('\n')
  return { lp, columns }
}

export function solveExact(problem: PlacementProblem, goal: ExactGoal, solver: MipSolver, timeLimitS: number): ExactResult {
  const { lp, columns } = buildExactModel(problem, goal)
  const solution = solver.solve(lp, { time_limit: timeLimitS, mip_rel_gap: 1e-4, output_flag: false })
  const hasSolution =
    solution.Status === 'Optimal' || (solution.Status === 'Time limit reached' && Object.keys(solution.Columns).length > 0)
  if (!hasSolution) {
    const status = solution.Status === 'Infeasible' ? 'infeasible' : solution.Status === 'Time limit reached' ? 'timedout' : 'failed'
    return { status, assignment: {}, moves: [], summary: null, solverStatus: solution.Status }
  }
  const vmIndex = new Map(problem.vms.map((v, i) => [v.id, i]))
  const units = affinityUnits(problem.vms.length, problem.affinity.map((g) => g.flatMap((id) => vmIndex.get(id) ?? [])))
  const assignment: Record<string, string> = {}
  for (const [name, [u, h]] of columns) {
    if ((solution.Columns[name]?.Primal ?? 0) > 0.5) for (const v of units[u]!) assignment[problem.vms[v]!.id] = problem.hosts[h]!.id
  }
  if (Object.keys(assignment).length !== problem.vms.length) {
    return { status: 'timedout', assignment: {}, moves: [], summary: null, solverStatus: solution.Status }
  }
  const moves = problem.vms
    .filter((vm) => assignment[vm.id] !== vm.hostId)
    .map((vm) => ({ vmId: vm.id, from: vm.hostId, to: assignment[vm.id]! }))
  return {
    status: solution.Status === 'Optimal' ? 'optimal' : 'timedout',
    assignment,
    moves,
    summary: summarizeLoads(problem, (vm) => assignment[vm.id]!),
    solverStatus: solution.Status,
  }
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(10)
}

function scaleTerm(term: string, factor: number): string {
  const [coef, name] = term.split(' ')
  return `${num(Number(coef) * factor)} ${name}`
}

/** LP files are read line by line; keep lines short. */
function wrap(terms: string[]): string {
  const lines: string[] = []
  for (let i = 0; i < terms.length; i += 8) lines.push(terms.slice(i, i + 8).join(' + '))
  return lines.join('\n   + ')
}

function wrapList(names: string[]): string[] {
  const lines: string[] = []
  for (let i = 0; i < names.length; i += 12) lines.push(' ' + names.slice(i, i + 12).join(' '))
  return lines
}
