import { msg } from '../i18n'
import type { MessageRef, Recommendation, RecommendationPriority } from '../model/recommendation'

/**
 * The one rule that sets a recommendation's priority (P1 first ... P5 last), DRS-style:
 *
 *   P1 when it is mandatory (it fixes a rule violation or empties a host in maintenance);
 *   otherwise its gain class: P2 significant, P3 good, P4 moderate, P5 slight gain,
 *   then one step lower for a change of medium risk, two for high risk (at most P5),
 *   then at least P3 when its confidence is low (little history): it is never P1 or P2.
 *
 * Each producer (balancing, rightsizing, the tuning rules) states only its gain class; risk counts
 * only where something is changed (advice without actions changes nothing).
 */
export interface PriorityInput {
  /** 1 = mandatory, 2 = significant ... 5 = slight gain. */
  gainClass: RecommendationPriority
  risk: Recommendation['risk']
  confidence: Recommendation['confidence']
  /** False for advice that changes nothing by itself. */
  changes: boolean
}

const RISK_STEPS: Record<Recommendation['risk'], number> = { low: 0, medium: 1, high: 2 }

export function priorityOf(input: PriorityInput): RecommendationPriority {
  if (input.gainClass === 1) return 1
  let priority = input.gainClass + (input.changes ? RISK_STEPS[input.risk] : 0)
  if (input.confidence === 'low') priority = Math.max(priority, 3)
  return Math.min(5, priority) as RecommendationPriority
}

/** A recommendation whose `priority` is still its gain class, with the rule applied. */
export function withPriority(r: Recommendation): Recommendation {
  return { ...r, priority: priorityOf({ gainClass: r.priority, risk: r.risk, confidence: r.confidence, changes: r.actions.length > 0 }) }
}

/** Gain class from a share of host load removed (0.1 = 10 points): >= 10 significant, >= 5 good, >= 2 moderate, else slight. */
export function gainClassForLoad(share: number): RecommendationPriority {
  if (share >= 0.1) return 2
  if (share >= 0.05) return 3
  if (share >= 0.02) return 4
  return 5
}

/** "20 min", "5.5 h", "2.0 days": how much history there is, never "0 h". */
export function historySpan(ms: number): MessageRef {
  const minutes = ms / 60_000
  if (minutes < 90) return msg('engine.span.minutes', { count: Math.max(0, Math.round(minutes)) })
  const hours = minutes / 60
  if (hours < 48) return msg('engine.span.hours', { hours: hours.toFixed(hours < 10 ? 1 : 0) })
  return msg('engine.span.days', { days: (hours / 24).toFixed(1) })
}
