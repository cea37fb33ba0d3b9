/**
 * What automation says (DRS-style automation levels): the levels, why an open recommendation was
 * left to the admin, and its audit entries, in English.
 */
export const automationEn = {
  levels: {
    disabled: 'Disabled',
    manual: 'Manual',
    'partially-automated': 'Partially automated',
    'fully-automated': 'Fully automated',
  },
  skip: {
    notMove: 'Only live migrations are applied automatically; resizes and tuning wait for your approval.',
    request: 'Asked for by {who}: it waits for an approval by hand.',
    managed: '{vm} is managed by {manager}: VirtPilot does not move it.',
    vmLevel: '{vm} is set to {level}.',
    clusterLevel: 'The cluster is set to {level}.',
    notP1: 'Partially automated applies only P1 fixes; this is P{priority}.',
    belowThreshold: 'P{priority} is below the migration threshold: fully automated applies P1 to P{threshold}.',
    window: 'Outside the maintenance windows: it waits for the next window.',
    maintenance: 'It touches {host}, which is in maintenance.',
    hostDown: '{host} is {state}.',
    stale: 'The latest reading of {host} is {seconds} s old.',
    unread: '{host} has not been read yet.',
    inPlan: '{vm} is in plan {plan}.',
    copiesDisks: 'It copies disks to the destination: storage migrations wait for your approval.',
    unsafe: 'libvirt calls this migration unsafe (host-cached disks) and automatic plans may not allow that.',
    changed: 'The cluster changed since the analysis: {reason}',
    nextRound: 'Waits for the next analysis: one plan per round, of one kind of automatic approval.',
    cap: 'The cap of {cap} automatic moves per hour is reached ({used} in the last hour).',
    rule: 'It would break a rule or a limit: {reason}',
  },
  state: {
    off: 'Automation is off: every level is manual.',
    paused: 'Automation is paused.',
    busy: 'A plan is running: nothing new starts until it ends.',
    ready: 'Decided.',
  },
  reason: {
    p1: 'P1 fix, applied automatically ({level})',
    threshold: 'P{priority} at migration threshold {threshold}, inside a maintenance window ({level})',
  },
  audit: {
    set: 'automation set: {level}, {windows} window(s) in {zone}, at most {cap} automatic moves per hour{unsafe}',
    unsafe: ', unsafe migration allowed',
    vm: 'automation of {vm}: {level}',
    vmDefault: 'automation of {vm}: follows the cluster',
    paused: 'automation paused: nothing automatic starts; a running automatic plan {running}',
    pausedFinish: 'runs to its end',
    pausedCancel: 'is cancelled',
    resumed: 'automation resumed',
    cancelled: 'automatic plan {plan} cancelled: automation was paused',
    planFailed: 'automation could not make or start a plan: {reason}',
    withdrawn: 'automatic plan {plan} withdrawn, nothing ran: its VMs are free for the next round',
  },
} as const
