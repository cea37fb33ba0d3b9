import { accountStep } from './account'
import { admitArrivals, endJobs, runQueue } from './admission'
import { balancingPass } from './balance-pass'
import { applyHostEvents, restartDownVms } from './failures'
import { consolidationPass, wakeFor } from './power'
import type { ReplayState } from './state'

/** One step of the replay, in this order. */
export function replayStep(st: ReplayState, s: number): void {
  applyHostEvents(st, s) // 1. host joins, removals, failures, recoveries, maintenance
  endJobs(st, s) // 2. jobs that ended free their allocation
  restartDownVms(st, s) // 3. HA restarts of VMs that went down before this step
  admitArrivals(st, s) // 4. arrivals join the queue (or are rejected)
  runQueue(st, s) // 5. the queue starts what fits
  balancingPass(st, s) // 6. balancing and consolidation at their intervals
  consolidationPass(st, s)
  const short = accountStep(st, s) // 7. demand, entitlements and unmet demand on each host
  // A short host with a sleeping one available: wake it and spread the load next step.
  if (short && st.policy.consolidation.enabled && wakeFor(st, s, null)) st.balanceDue = true
}
