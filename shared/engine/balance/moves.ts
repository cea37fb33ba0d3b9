import type { MessageRef, RecommendationPriority } from '../../model/recommendation'
import type { LoadSummary } from '../placement'
import type { ClusterState } from './state'

export interface Move {
  vmId: string
  from: string
  to: string
  /** Priority 1: fixes a rule violation or empties a host in maintenance. */
  mandatory: boolean
  reason: string
  /** The reason as a message key (the rule or limit a mandatory move fixes). */
  reasonRef?: MessageRef
  /** Imbalance (std dev of host load) before minus after this move, in plan order; a move made for the peak may raise it. */
  gain: number
  /** Estimated live-migration time: used memory / (bandwidth - dirty rate). */
  costSeconds: number
  priority: RecommendationPriority
  /** Set on both halves of a swap: the VM that moves the other way (the pair must run together). */
  swapWith?: string
}

export interface BalanceResult {
  moves: Move[]
  before: LoadSummary
  after: LoadSummary
  /** Violations no move could fix, in words (e.g. "no host can take vm-3"). Empty = feasible. */
  unresolved: string[]
  /** The same as messages, one per entry of `unresolved`. */
  unresolvedRefs?: MessageRef[]
  /** Should-run rules left unmet (no preferred host had room), in words: not a violation. */
  notes?: string[]
  /** The same as messages, one per note. */
  noteRefs?: MessageRef[]
  /** Optional moves left out because the days the VMs actually had did not bear out their gain (hold-back.ts). */
  heldBack?: number
}

export interface GreedyOptions {
  /** Absolute floor on a step's gain, and its charge per migration minute (the what-if's policy knob; 0 in the product). */
  minGain: number
  /**
   * The relative stopping rule (BalanceOptions): a step must remove this share of the current
   * imbalance per migration, and this share more per minute of migration time. Absent: 0.
   */
  minRelativeGain?: number
  relativeGainPerMigrationMinute?: number
  maxMigrations: number
  migrationBandwidthMiBps: number
  maxMigrationSeconds: number
}

/**
 * A step's score under the stopping rule, in objective units, or null when the step is not worth
 * its migrations: its gain must reach the absolute floor `abs` and `migrations` x minRelativeGain
 * of the current imbalance (`scale`), and stay positive after the charge for its migration time.
 */
export function stepScore(gain: number, abs: number, migrations: number, seconds: number, scale: number, o: GreedyOptions): number | null {
  if (gain < abs || gain < scale * (o.minRelativeGain ?? 0) * migrations) return null
  const score = gain - (seconds / 60) * (o.minGain + scale * (o.relativeGainPerMigrationMinute ?? 0))
  return score > 0 ? score : null
}

/** Priority from the imbalance a move removes, DRS-style (2 = large gain ... 5 = slight). */
export function priorityForGain(gain: number): RecommendationPriority {
  if (gain >= 0.1) return 2
  if (gain >= 0.05) return 3
  if (gain >= 0.02) return 4
  return 5
}

export const PEAK_REASON = 'lowers the peak host load'

/** An exchange of two single-VM units (x and y) on different hosts. */
export interface Swap {
  x: number
  y: number
  gain: number
  score: number
  /** Whether x's migration goes first (its target has room while y is still there). */
  xFirst: boolean
}

/**
 * The moves phases 1 and 2 decide, in the order they make them, each applied to the state as it
 * is recorded; and the VM each VM last swapped places with (the scheduler keeps such pairs together).
 */
export class MoveLog {
  readonly moves: Move[] = []
  readonly partner = new Map<number, number>()

  constructor(
    private readonly state: ClusterState,
    private readonly bandwidthMiBps: number,
  ) {}

  /** Moves unit u to host `to`: one move per member VM not already there, with the unit's gain and cost. */
  /** `soft`: it meets a should-run rule (priority 2, not 1). */
  record(u: number, to: number, mandatory: boolean, reason: string, reasonRef?: MessageRef, soft = false): void {
    const { state } = this
    const { problem } = state
    const gain = state.imbalance() - state.imbalanceAfter(u, to)
    const costSeconds = state.costSeconds(u, this.bandwidthMiBps, to)
    for (const v of state.units[u]!) {
      const from = state.vmHost[v]!
      if (from === to) continue
      this.moves.push({
        vmId: problem.vms[v]!.id,
        from: problem.hosts[from]!.id,
        to: problem.hosts[to]!.id,
        mandatory,
        reason,
        ...(reasonRef ? { reasonRef } : {}),
        gain,
        costSeconds,
        priority: mandatory ? (soft ? 2 : 1) : priorityForGain(gain),
      })
    }
    state.move(u, to)
  }

  /** Both halves of a swap, the one that fits first first; each carries half the pair's gain. */
  recordSwap(sw: Swap): void {
    const { state } = this
    const { problem } = state
    const gain = state.imbalance() - state.imbalanceAfterSwap(state.units[sw.x]![0]!, state.units[sw.y]![0]!)
    const priority = priorityForGain(gain)
    const [first, second] = sw.xFirst ? [sw.x, sw.y] : [sw.y, sw.x]
    const hostOf = (u: number) => state.vmHost[state.units[u]![0]!]!
    const a = hostOf(first)
    const b = hostOf(second)
    const vmOf = (u: number) => problem.vms[state.units[u]![0]!]!.id
    for (const [u, from, to, other] of [[first, a, b, second], [second, b, a, first]] as const) {
      this.moves.push({
        vmId: vmOf(u),
        from: problem.hosts[from]!.id,
        to: problem.hosts[to]!.id,
        mandatory: false,
        reason: `evens out host load (swaps places with ${vmOf(other)})`,
        gain: gain / 2,
        costSeconds: state.costSeconds(u, this.bandwidthMiBps, to),
        priority,
        swapWith: vmOf(other),
      })
    }
    this.partner.set(state.units[sw.x]![0]!, state.units[sw.y]![0]!)
    this.partner.set(state.units[sw.y]![0]!, state.units[sw.x]![0]!)
    state.move(first, b)
    state.move(second, a)
  }
}
