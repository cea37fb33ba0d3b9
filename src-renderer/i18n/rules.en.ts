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
    'host-must-not': 'Must not run on hosts',
    'host-should-not': 'Should not run on hosts',
    pin: 'Pin to a host',
    exclude: 'Exclude from balancing',
  },
  kindHelp: {
    affinity: 'The VMs always run on one host (they move together).',
    'anti-affinity': 'No two of the VMs share a host.',
    'host-must': 'The VMs run only on these hosts (hard: never placed elsewhere).',
    'host-should': 'The VMs run on these hosts where one has room (soft: a fix is proposed at priority 2, and balancing never moves them off).',
    'host-must-not': 'The VMs never run on these hosts (hard: they may use every other host of the cluster).',
    'host-should-not': 'The VMs run on other hosts where one has room (soft: a fix is proposed at priority 2, and balancing never moves them onto these).',
    pin: 'The VM runs on this host only.',
    exclude: 'Balancing never moves the VMs; maintenance and the hard rules still do, in a plan you approve.',
  },
  columns: { id: 'Rule', kind: 'Kind', vms: 'VMs', hosts: 'Hosts', created: 'Added' },
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
}

export const thresholdEn = {
  title: 'Migration threshold',
  help: 'How much a balancing move must gain before the engine proposes it, as in vSphere DRS: 1 is conservative, 5 aggressive. Moves rules, maintenance and allocation limits require are proposed at every level.',
  label: 'Threshold',
  names: { 1: '1 Conservative', 2: '2', 3: '3 Default', 4: '4', 5: '5 Aggressive' },
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
  inMaintenance: 'In maintenance since {time}: takes no placements.',
}

