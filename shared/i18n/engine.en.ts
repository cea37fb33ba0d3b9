/**
 * What the engine says (recommendations, moves, figures, notes, what-if), in English. Keys are
 * sent as MessageRef; `{name}` is a value, `a | b` are plural forms chosen by `{count}`.
 * vue-i18n syntax: `@` and `|` are special, write them as {'@'} and {'|'}.
 */
export const engineEn = {
  rebalance: {
    title: 'Rebalance: {count} move | Rebalance: {count} moves',
    rationale:
      '{count} live migration that takes the peak host CPU load from {peakBefore} to {peakAfter} and the spread of host load from {spreadBefore} to {spreadAfter} (forecast demand for the next {hours} h). The move below shows its own effect. | {count} live migrations that together take the peak host CPU load from {peakBefore} to {peakAfter} and the spread of host load from {spreadBefore} to {spreadAfter} (forecast demand for the next {hours} h). Each move below shows its own effect, counted after the moves before it, and what it waits for; approve only some and VirtPilot works out what those achieve on their own.',
    // When moves the forecast favoured were left out (balance/hold-back.ts): the rationale, then why.
    rationaleHeldBack: '{rationale} {heldBack}',
    heldBack: "Not included: further moves the forecast favoured ({moves}); over the same hours of each of the last {days} days they would not have lowered the busiest host, so their gain lies within the forecast's error.",
  },
  move: {
    title: 'Move {vm} from {from} to {to}',
    ontoHottestSwap: 'Moves {vm} onto {host}, the busiest host, only as the other half of a swap with {partner} (move {move}), which takes more load off it: together they take {host} from {before} to {after} CPU load.',
    ontoHottest: 'Moves {vm} onto {host}, which was the busiest host; the moves before it have taken it down to {load} CPU load, so it has room now.',
    offHottest: 'Takes {cores} cores of demand off {host}, the busiest host.',
    offHottestSwap: 'Takes {cores} cores of demand off {host}, the busiest host. Swaps places with {partner} (move {move}).',
    spread: 'Evens out host load: {cores} cores of demand from {from} to {to}.',
    spreadSwap: 'Evens out host load: {cores} cores of demand from {from} to {to}. Swaps places with {partner} (move {move}).',
  },
  // Another manager owns the VM (shared/engine/managers.ts): advice only.
  managed: {
    reason: '{vm} is managed by {manager} ({ref}, read from {source}): VirtPilot does not move or resize it, so this is advice only. Make the change through {manager}.',
    reasonDetail: '{vm} is managed by {manager} ({ref}, read from {source}; {detail}): VirtPilot does not move or resize it, so this is advice only. Make the change through {manager}.',
  },
  // The admin asked for it by hand (shared/engine/requests.ts).
  request: {
    migrateTitle: 'Requested by {user}: move {vm} from {from} to {to}',
    resizeTitle: 'Requested by {user}: resize {vm} to {vcpus} vCPUs and {memoryMiB} MiB',
    rationale: "{user} asked for this change. The plan validator checked it against the hosts' capacity, allocation ratios and placement rules; the figures are the engine's prediction with the demand it forecasts.",
  },
  figure: {
    memory: 'Memory',
    hostVcpus: '{host} vCPUs allocated (limit {limit})',
    spread: 'Host load spread',
    peakCpu: 'Peak host CPU load',
    peakMemory: 'Peak host memory load',
    hostCpu: '{host} CPU load',
    vcpus: 'vCPUs',
  },
  oversized: {
    title: '{vm} has more vCPUs than {host} has logical CPUs: {vcpus} → {cpus}',
    rationale: '{vm} has {vcpus} vCPUs on {host}, which has {cpus} logical CPUs: its vCPUs can never all run at once, and a guest that spins on a lock held by a vCPU the host has descheduled wastes the CPU time it gets. Give it at most {cpus}.',
  },
  required: {
    rule: ' (rule {rule})',
    maintenance: 'Required: {host} is in maintenance. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    pinned: 'Required: {vm} must run on {hosts}{rule}. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    antiAffinity: 'Required: {vm} shares host {host} with a VM it must stay apart from{rule}. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    affinity: 'Required: {vms} must run together{rule}. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    overLimit: 'Required: {host} is over its allocation ratio. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    preferred: 'Asked for by a rule: {vm} should run on {hosts}{rule}. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
  },
  evacuate: {
    title: 'Evacuate {host} for maintenance: {count} move | Evacuate {host} for maintenance: {count} moves',
    rationale: '{host} is in maintenance: its running VMs move to other hosts ({vms}), live, about {seconds} s in all; the peak host CPU load is {peak} after them. Until it leaves maintenance, nothing is placed on it.',
  },
} as const
