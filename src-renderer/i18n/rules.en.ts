/** Placement rules, the migration threshold and maintenance mode (DRS-style controls), in English. */
export const rulesEn = {
  title: 'Placement rules',
  subtitle: 'Rules the engine keeps when it balances and plans: VMs together or apart, VMs on some hosts, VMs balancing leaves alone. A violation of the current placement becomes a recommendation at the next analysis.',
  empty: 'No rules yet.',
  kinds: {
    affinity: 'Keep together',
    'anti-affinity': 'Keep apart',
    'host-must': 'Must run on hosts',
    'host-should': 'Should run on hosts',
    pin: 'Pin to a host',
    exclude: 'Exclude from balancing',
  },
  kindHelp: {
    affinity: 'The VMs always run on one host (they move together).',
    'anti-affinity': 'No two of the VMs share a host.',
    'host-must': 'The VMs run only on these hosts (hard: never placed elsewhere).',
    'host-should': 'The VMs run on these hosts where one has room (soft: a fix is proposed at priority 2, and balancing never moves them off).',
    pin: 'The VM runs on this host only.',
    exclude: 'Balancing never moves the VMs; maintenance and the hard rules still do, in a plan you approve.',
  },
  columns: { id: 'Rule', kind: 'Kind', vms: 'VMs', hosts: 'Hosts', created: 'Added', actions: '' },
  add: 'Add rule',
  addTitle: 'New rule',
  kind: 'Kind',
  vms: 'VMs',
  hosts: 'Hosts',
  name: 'Name (optional)',
  namePlaceholder: 'e.g. databases apart',
  save: 'Add',
  cancel: 'Cancel',
  remove: 'Remove',
  removeRule: 'Remove rule {rule}',
  added: 'Rule {rule} added; the next analysis keeps it.',
  removed: 'Rule {rule} removed.',
  refused: 'Not added: {reason}',
  conflict: {
    unknownVm: 'There is no VM {vm} in the cluster.',
    unknownHost: 'There is no host {host} in the cluster.',
    duplicate: 'The same rule exists already: {rule}.',
    togetherAndApart: '{a} and {b} would have to run together (affinity) and apart (anti-affinity).',
    noHostLeft: '{vm} would have no host to run on: its must-run rules and pins ({rules}) allow no host in common.',
    affinityNoHost: '{vms} must run together, but their must-run rules and pins allow no host in common.',
    shouldOutsideMust: '{vm} must run on {must}: it cannot also prefer {should}.',
    apartTooFew: '{count} VMs must run apart ({vms}), but they may use only {hosts} host(s).',
  },
}

export const thresholdEn = {
  title: 'Migration threshold',
  help: 'How much a balancing move must gain before the engine proposes it, as in vSphere DRS: 1 is conservative, 5 aggressive. Moves rules, maintenance and allocation limits require are proposed at every level.',
  label: 'Threshold',
  names: { 1: '1 Conservative', 2: '2', 3: '3 Default', 4: '4', 5: '5 Aggressive' },
  level1: 'Only the moves rules, maintenance and allocation limits require; nothing to even out load.',
  level2: 'Only large gains: each move must take at least 5 points off host load (spread plus peak) and 10 % of the current imbalance, plus 5 % per minute of live migration.',
  level3: 'Each move must remove at least 1 % of the current imbalance, plus 1 % per minute of live migration (the default).',
  level4: 'Each move must remove at least 0.3 % of the current imbalance, plus 0.3 % per minute of live migration.',
  level5: 'Aggressive: each move must remove at least 0.1 % of the current imbalance, plus 0.05 % per minute of live migration; even slight gains move VMs.',
}

export const maintenanceEn = {
  enter: 'Enter maintenance',
  exit: 'Exit maintenance',
  confirmEnter: '{host} will take no placements until it leaves maintenance. VirtPilot plans the live migration of its running VMs to other hosts (keeping the rules and allocation ratios); you review and apply the plan.',
  entered: '{host} is in maintenance.',
  planReady: 'The evacuation plan is ready: review and apply it.',
  planProblem: 'No plan yet: {problem}',
  allowUnsafe: 'Make the plan, allowing unsafe migration',
  openPlan: 'Open the plan',
  nothingToMove: 'No running VM has to move.',
  exited: '{host} takes placements again.',
  inMaintenance: 'In maintenance since {time}: takes no placements.',
  staysOn: 'Stays on {host}',
  staying: {
    notRunning: '{vm} is {state}: it stays defined on {host} (only running guests are migrated live).',
    external: '{vm} is managed by another balancer.',
    noRoom: '{vm}: {why}',
  },
}

/** Engine text of rule fixes and evacuations (MessageRef keys under engine.). */
export const rulesEngineEn = {
  required: {
    maintenance: 'Required: {host} is in maintenance. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    pinned: 'Required: {vm} must run on {hosts} (rule {rule}). Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    antiAffinity: 'Required: {vm} shares host {host} with a VM it must stay apart from (rule {rule}). Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    affinity: 'Required: {vms} must run together (rule {rule}). Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    overLimit: 'Required: {host} is over its allocation ratio. Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
    preferred: 'Asked for by a rule: {vm} should run on {hosts} (rule {rule}). Live migration about {seconds} s; the peak host CPU load is {peak} after it.',
  },
  evacuate: {
    title: 'Evacuate {host} for maintenance: {count} move | Evacuate {host} for maintenance: {count} moves',
    rationale: '{host} is in maintenance: its running VMs move to other hosts ({vms}), live, about {seconds} s in all; the peak host CPU load is {peak} after them. Until it leaves maintenance, nothing is placed on it.',
  },
}
