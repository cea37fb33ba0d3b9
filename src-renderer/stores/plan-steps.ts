import type { Plan, PlanState, PlanStep, StepState } from '../../shared/model'

/** A step with its place in the plan's execution order (1-based). */
export interface OrderedStep {
  order: number
  step: PlanStep
}

export interface HostSteps {
  host: string
  steps: OrderedStep[]
}

/** Steps in execution order, grouped by the host they run on (hosts in order of their first step). */
export function stepsByHost(plan: Pick<Plan, 'steps'>): HostSteps[] {
  const groups = new Map<string, OrderedStep[]>()
  plan.steps.forEach((step, index) => {
    const group = groups.get(step.host) ?? []
    group.push({ order: index + 1, step })
    groups.set(step.host, group)
  })
  return [...groups].map(([host, steps]) => ({ host, steps }))
}

/** Every host a plan runs a command on or reads back from, in order of appearance. */
export function planHosts(plan: Pick<Plan, 'steps'>): string[] {
  return [...new Set(plan.steps.flatMap((s) => [s.host, ...s.commands.map((c) => c.host), ...s.verify.map((c) => c.host)]))]
}

/** Steps that reached an end (done, or anything that is not pending or running). */
const SETTLED: readonly StepState[] = ['done', 'failed', 'rolled-back', 'rollback-failed', 'skipped', 'cancelled', 'interrupted']

export function settledSteps(plan: Pick<Plan, 'steps'>): number {
  return plan.steps.filter((s) => SETTLED.includes(s.state)).length
}

/** Seconds if every step ran one after another (the upper bound; parallel steps finish sooner). */
export function sequentialSeconds(plan: Pick<Plan, 'steps'>): number {
  return plan.steps.reduce((sum, s) => sum + s.estimatedSeconds, 0)
}

export function isPlanActive(state: PlanState): boolean {
  return state === 'running'
}

/** Newest first; a plan pushed by an event replaces the stored copy with the same id. */
export function upsertPlan(plans: readonly Plan[], plan: Plan): Plan[] {
  const rest = plans.filter((p) => p.id !== plan.id)
  return [plan, ...rest].sort((a, b) => b.createdAt - a.createdAt)
}
