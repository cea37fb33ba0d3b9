/**
 * What main says about placement rules and maintenance mode (a refused rule, a VM that stays on a
 * host in maintenance) and what each migration threshold level does, in English.
 */
export const placementEn = {
  conflict: {
    unknownVm: 'There is no VM {vm} in the cluster.',
    unknownHost: 'There is no host {host} in the cluster.',
    duplicate: 'The same rule exists already: {rule}.',
    togetherAndApart: '{a} and {b} would have to run together (affinity) and apart (anti-affinity).',
    noHostLeft: '{vm} would have no host to run on: its must-run rules and pins ({rules}) allow no host in common.',
    affinityNoHost: '{vms} must run together, but their must-run rules and pins allow no host in common.',
    shouldOutsideMust: '{vm} must run on {must}: it cannot also prefer {should}.',
    avoidEveryAllowed: '{vm} may run only on {hosts}: it cannot also avoid all of them.',
    apartTooFew: '{count} VMs must run apart ({vms}), but they may use only {hosts} host(s).',
  },
  staying: {
    notRunning: '{vm} is {state}: it stays defined on {host} (only running guests are migrated live).',
    external: '{vm} is managed by another balancer.',
    noRoom: '{vm}: {why}',
  },
  threshold: {
    level1: 'Only the moves rules, maintenance and allocation limits require; nothing to even out load.',
    level2: 'Only large gains: each move must take at least 5 points off host load (spread plus peak) and 10 % of the current imbalance, plus 5 % per minute of live migration.',
    level3: 'Each move must remove at least 1 % of the current imbalance, plus 1 % per minute of live migration (the default).',
    level4: 'Each move must remove at least 0.3 % of the current imbalance, plus 0.3 % per minute of live migration.',
    level5: 'Aggressive: each move must remove at least 0.1 % of the current imbalance, plus 0.05 % per minute of live migration; even slight gains move VMs.',
  },
} as const
