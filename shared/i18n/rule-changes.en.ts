/**
 * What main and the CLI say when the admin changes placement rules or maintenance mode: the audit
 * entries (kept as messages, so an entry written in English reads in Chinese later), a rule's
 * shape problems, and the CLI's `rules` and `maintenance` refusals, in English.
 */
export const ruleChangesEn = {
  /** A rule's kind as the audit log and the CLI name it (its schema name). */
  kinds: {
    affinity: 'affinity',
    'anti-affinity': 'anti-affinity',
    'host-must': 'host-must',
    'host-should': 'host-should',
    'host-must-not': 'host-must-not',
    'host-should-not': 'host-should-not',
    pin: 'pin',
    exclude: 'exclude',
  },
  vmState: {
    running: 'running',
    paused: 'paused',
    shutoff: 'shutoff',
    crashed: 'crashed',
    suspended: 'suspended',
    other: 'other',
  },
  newRule: 'the new rule',
  noRoom: 'no host can take it within capacity and rules',
  audit: {
    added: 'rule added: {rule} ({what})',
    removed: 'rule removed: {rule} ({what})',
    what: '{kind} of {vms}',
    whatOn: '{kind} of {vms} on {hosts}',
    maintenanceEntered: 'maintenance entered: {host} takes no placements until it leaves maintenance',
    maintenanceExited: 'maintenance exited: {host} takes placements again',
    maintenanceOf: 'maintenance of {host}',
  },
  /** What a rule's own fields get wrong (`{field}` is where). */
  shape: {
    vmTwice: '{field}: a VM is named twice',
    hostTwice: '{field}: a host is named twice',
    needsTwoVms: '{field}: {kind} needs at least two VMs',
    namesNoHost: '{field}: {kind} names no host',
    needsOneVm: '{field}: {kind} needs at least one VM',
    needsOneHost: '{field}: {kind} needs at least one host',
    pinOneVm: '{field}: pin names one VM',
    pinOneHost: '{field}: pin names one host',
  },
  cli: {
    listNoArgument: 'rules list takes no argument',
    needsKind: 'rules add needs a KIND: {kinds}',
    invalid: '{clauses}',
    needsRuleId: 'rules remove needs exactly one rule ID',
    rulesVerb: 'rules needs list, add or remove',
    unknownRulesVerb: 'Unknown rules command {verb}',
    ambiguousVm: '{vm} names {count} VMs ({ids}): give the id',
    unknownVm: '{file} knows no VM {vm} (run `virtpilot collect` to read the hosts)',
    noRule: '{file} has no rule {id} (see: virtpilot rules list --json)',
    needsHost: 'maintenance {verb} needs exactly one HOST',
    needsHostNoVerb: 'maintenance needs exactly one HOST',
    maintenanceVerb: 'maintenance needs enter or exit',
    unknownMaintenanceVerb: 'Unknown maintenance command {verb}',
    notInMaintenance: '{host} is not in maintenance',
  },
} as const
