import type { ReversibleAction } from '../../../../shared/model/action'
import type { RecommendInput, RecommendOutput } from '../../../../shared/engine/recommend'
import { recommend, storageContext } from '../../../../shared/engine/recommend'
import { withDefaults } from '../../../../shared/engine/options'
import { validatePlan } from '../../../../shared/engine/validate'
import { expect } from 'vitest'

/** All actions of all recommendations, in priority order: the plan an admin would approve (advice on another manager's VMs never goes into one). */
export function planOf(out: RecommendOutput): ReversibleAction[] {
  return out.recommendations.filter((r) => !r.managedBy).flatMap((r) => r.actions)
}

/** Run the engine and check its whole plan with the independent validator. */
export function recommendChecked(input: RecommendInput): RecommendOutput {
  const out = recommend(input)
  const options = withDefaults(input.options)
  const check = validatePlan(input.snapshot, planOf(out), options, input.history, input.now, storageContext(input, options.balance.migrationBandwidthMiBps))
  if (out.feasible) expect(check.violations).toEqual([])
  return out
}

export function migrations(out: RecommendOutput) {
  return planOf(out).flatMap((a) => (a.action.kind === 'migrate' ? [a.action] : []))
}
