import { msg, said } from '../../i18n'
import type { MessageRef } from '../../model/recommendation'
import { asRequest, queueHosts } from './admission'
import { evacuate } from './balance-pass'
import { wakeFor } from './power'
import { chooseHost, occupy } from './queue'
import type { ReplayState } from './state'

/** Step 1: the host events due by step s (joins, removals, failures, recoveries, maintenance windows). */
export function applyHostEvents(st: ReplayState, s: number): void {
  const events = st.prep.hostEvents
  while (st.nextEvent < events.length && events[st.nextEvent]!.step <= s) {
    const e = events[st.nextEvent++]!
    st.queue.dirty = true
    const h = st.hostIndex.get(e.hostId)!
    const host = st.hosts[h]!
    switch (e.kind) {
      case 'add':
        host.present = true
        st.log(s, 'host-added', { host: host.id })
        break
      case 'recover':
        host.failed = false
        st.log(s, 'host-recovered', { host: host.id })
        break
      case 'maintenanceStart': {
        host.maintenance = true
        st.log(s, 'maintenance-start', { host: host.id })
        const left = evacuate(st, s, h)
        if (left > 0) st.log(s, 'evacuation-incomplete', { host: host.id, ...said({ detail: msg('engine.whatif.evacuationKeeps', { count: left }) }) })
        break
      }
      case 'maintenanceEnd':
        host.maintenance = false
        st.log(s, 'maintenance-end', { host: host.id })
        break
      case 'remove': {
        host.maintenance = true
        const left = evacuate(st, s, h)
        if (left > 0) st.log(s, 'evacuation-incomplete', { host: host.id, ...said({ detail: msg('engine.whatif.evacuationDown', { count: left }) }) })
        takeDownOn(st, s, h, msg('engine.whatif.hostRemoved', { host: host.id }))
        host.present = false
        st.log(s, 'host-removed', { host: host.id })
        break
      }
      case 'fail':
        // Restarts happen from the next step: a failure always costs its VMs at least one step.
        st.log(s, 'host-failed', { host: host.id })
        host.failed = true
        takeDownOn(st, s, h, msg('engine.whatif.hostFailed', { host: host.id }))
        break
    }
  }
}

/**
 * Step 3: HA restarts of the VMs that went down before this step, highest priority (then largest)
 * first, each on the host with most room; a sleeping host is woken when none has room.
 */
export function restartDownVms(st: ReplayState, step: number): void {
  if (st.downCount === 0) return
  const { vms } = st
  const down: number[] = []
  for (let a = 0; a < vms.nAlive; a++) {
    const i = vms.alive[a]!
    if (vms.hostOf[i]! < 0 && vms.rt[i]!.downSince < step) down.push(i)
  }
  if (down.length === 0) return
  down.sort((a, b) => vms.rt[b]!.priority - vms.rt[a]!.priority || vms.memOf[b]! - vms.memOf[a]! || (vms.rt[a]!.id < vms.rt[b]!.id ? -1 : 1))
  let q = queueHosts(st)
  for (const i of down) {
    const v = vms.rt[i]!
    let h = chooseHost(q, asRequest(st, i))
    if (h < 0 && wakeFor(st, step, asRequest(st, i))) {
      q = queueHosts(st)
      h = chooseHost(q, asRequest(st, i))
    }
    if (h < 0) continue
    vms.hostOf[i] = h
    v.downSince = -1
    st.downCount--
    st.queue.dirty = true
    occupy(q[h]!, asRequest(st, i))
    st.restarts++
    st.log(step, 'vm-restarted', { vm: v.id, host: st.hosts[h]!.id })
  }
}

/** Every VM on host h goes down (`why` in the event). */
function takeDownOn(st: ReplayState, step: number, h: number, why: MessageRef): void {
  const { vms } = st
  for (let a = 0; a < vms.nAlive; a++) if (vms.hostOf[vms.alive[a]!] === h) goDown(st, step, vms.alive[a]!, why)
}

function goDown(st: ReplayState, step: number, i: number, why: MessageRef): void {
  const { vms } = st
  const v = vms.rt[i]!
  st.log(step, 'vm-down', { vm: v.id, host: vms.hostOf[i]! >= 0 ? st.hosts[vms.hostOf[i]!]!.id : undefined, ...said({ detail: why }) })
  vms.hostOf[i] = -1
  v.downSince = step
  st.downCount++
}
