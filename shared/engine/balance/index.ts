/** Balancing by live migration: the greedy (three phases) and the exact model it is compared with. */
export { balanceGreedy } from './greedy'
export { PEAK_REASON, priorityForGain, type BalanceResult, type GreedyOptions, type Move } from './moves'
export { buildExactModel, solveExact, type ExactGoal, type ExactResult } from './exact'
