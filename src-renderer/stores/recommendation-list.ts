import type { RecommendationItem } from '../../shared/api'
import type { Action, Recommendation, RecommendationKind, RecommendationPriority } from '../../shared/model'

export type RecommendationStatus = RecommendationItem['status']
export type Decision = 'approve' | 'reject' | 'snooze' | 'reopen'

/** What the inbox shows; null means "any". */
export interface RecommendationFilter {
  status: RecommendationStatus | 'actionable' | null
  kind: RecommendationKind | null
  priority: RecommendationPriority | null
}

export const SORT_KEYS = ['priority', 'gain', 'newest', 'target'] as const
export type RecommendationSort = (typeof SORT_KEYS)[number]

/** Waiting for a decision or for a plan: what the admin still has to act on. */
const ACTIONABLE: readonly RecommendationStatus[] = ['open', 'approved']

/** Changes VirtPilot describes but does not make over SSH: the admin applies them by hand. */
const ADVICE_KINDS: readonly Action['kind'][] = ['setHostTuning', 'setVmDevice']

export function isAdviceOnly(r: Recommendation): boolean {
  if (r.managedBy) return true
  return r.actions.length > 0 && r.actions.every((a) => ADVICE_KINDS.includes(a.action.kind))
}

/** Relative size of the first predicted change (0.5 = halves or grows by half); 0 without figures. */
export function expectedGain(r: Recommendation): number {
  const first = r.predicted[0]
  if (!first) return 0
  const base = Math.max(Math.abs(first.before), Math.abs(first.after), 1e-9)
  return Math.abs(first.after - first.before) / base
}

export function matchesFilter(item: RecommendationItem, filter: RecommendationFilter): boolean {
  const r = item.recommendation
  if (filter.status === 'actionable' ? !ACTIONABLE.includes(item.status) : filter.status !== null && item.status !== filter.status) return false
  if (filter.kind !== null && r.kind !== filter.kind) return false
  if (filter.priority !== null && r.priority !== filter.priority) return false
  return true
}

/**
 * Filtered and sorted copy. Ties fall back to priority, then the id, so the order is stable
 * across refreshes. `targetName` turns a target id into what the admin sees.
 */
export function arrangeRecommendations(
  items: readonly RecommendationItem[],
  filter: RecommendationFilter,
  sort: RecommendationSort,
  targetName: (r: Recommendation) => string = (r) => r.target.id,
): RecommendationItem[] {
  const byPriority = (a: RecommendationItem, b: RecommendationItem) => a.recommendation.priority - b.recommendation.priority
  const byId = (a: RecommendationItem, b: RecommendationItem) => (a.recommendation.id < b.recommendation.id ? -1 : a.recommendation.id > b.recommendation.id ? 1 : 0)
  const primary: Record<RecommendationSort, (a: RecommendationItem, b: RecommendationItem) => number> = {
    priority: (a, b) => byPriority(a, b) || expectedGain(b.recommendation) - expectedGain(a.recommendation),
    gain: (a, b) => expectedGain(b.recommendation) - expectedGain(a.recommendation),
    newest: (a, b) => b.createdAt - a.createdAt,
    target: (a, b) => targetName(a.recommendation).localeCompare(targetName(b.recommendation)),
  }
  return items
    .filter((item) => matchesFilter(item, filter))
    .sort((a, b) => primary[sort](a, b) || byPriority(a, b) || byId(a, b))
}

/** The decisions that make sense from a status (main refuses changes once planned or applied). */
export function decisionsFor(status: RecommendationStatus): Decision[] {
  switch (status) {
    case 'open':
      return ['approve', 'reject', 'snooze']
    case 'approved':
      return ['reopen', 'reject']
    case 'rejected':
      return ['reopen']
    case 'snoozed':
      return ['approve', 'reopen']
    default:
      return []
  }
}

/** The value below which `share` (0-1) of the values lie, nearest-rank; undefined without values. */
export function percentile(values: readonly number[], share: number): number | undefined {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (finite.length === 0) return undefined
  const rank = Math.min(finite.length, Math.max(1, Math.ceil(share * finite.length)))
  return finite[rank - 1]
}

/** VMs an action changes or moves. */
export function vmsOf(r: Recommendation): string[] {
  return [...new Set(r.actions.flatMap((a) => ('vm' in a.action ? [a.action.vm] : [])))]
}
