import { accountStep } from './account'
import { admitArrivals, endJobs, runQueue } from './admission'
import { balancingPass } from './balance-pass'
import { applyHostEvents, restartDownVms } from './failures'
import { consolidationPass, wakeFor } from './power'
import type { ReplayState } from './state'

/** What happens in a step before its accounting, in this order. */
const PHASES: readonly ((st: ReplayState, s: number) => void)[] = [
  applyHostEvents, // 1. host joins, removals, failures, recoveries, maintenance
  endJobs, // 2. jobs that ended free their allocation
  restartDownVms, // 3. HA restarts of VMs that went down before this step
  admitArrivals, // 4. arrivals join the queue (or are rejected)
  runQueue, // 5. the queue starts what fits
  balancingPass, // 6. balancing and consolidation at their intervals
  consolidationPass,
]

/** One step of the replay: its phases, then (7) demand, entitlements and unmet demand on each host. */
export function replayStep(st: ReplayState, s: number): void {
  for (const phase of PHASES) phase(st, s)
  const short = accountStep(st, s)
  // A short host with a sleeping one available: wake it and spread the load next step.
  if (short && st.policy.consolidation.enabled && wakeFor(st, s, null)) st.balanceDue = true
}
