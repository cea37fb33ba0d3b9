/**
 * Channel names alone, without schemas, for the sandboxed preload (which must not bundle zod).
 * contract.ts checks that its channel maps have exactly these keys.
 */
export const requestChannelNames = [
  'app.info',
  'cluster.snapshot',
  'cluster.history',
  'settings.get',
  'settings.update',
  /** The metrics source (SSH or a Prometheus-compatible store): what it serves, what to fix. */
  'metrics.status',
  'hosts.list',
  'hosts.add',
  'hosts.remove',
  'hosts.answerHostKey',
  'hosts.reconnect',
  'credentials.pending',
  'credentials.answer',
  'recommendations.list',
  'recommendations.refresh',
  'recommendations.decide',
  'recommendations.request',
  'plans.create',
  'plans.list',
  'plans.get',
  'plans.apply',
  'plans.cancel',
  'plans.readBack',
  'plans.resume',
  'plans.rollBack',
  'plans.dryRun',
  'plans.export',
  'audit.list',
  'audit.export',
  'whatif.list',
  'whatif.build',
  'whatif.import',
  'whatif.get',
  'whatif.save',
  'whatif.delete',
  'whatif.run',
  // Dashboards: Overview summary with health scores, host and VM series, host tuning facts.
  'dashboard.overview',
  'series.query',
  'host.history',
  'host.facts',
  // Storage: a host's pools (use, promise, days to full) and a VM's disks.
  'storage.host',
  'storage.vm',
  // perf kvm stat on one VM, on the admin's request: what would run, run it, past runs.
  'perf.preview',
  'perf.run',
  'perf.list',
  // Placement rules (affinity, anti-affinity, must / should run on hosts, pin, exclude) and maintenance mode.
  'rules.list',
  'rules.add',
  'rules.remove',
  'maintenance.enter',
  'maintenance.exit',
  // Automation levels (DRS-style): level, maintenance windows, cap, per-VM levels, pause.
  'automation.get',
  'automation.update',
  'automation.setVm',
  'automation.pause',
  'automation.resume',
] as const
export const eventChannelNames = ['cluster.snapshot', 'settings.changed', 'hosts.changed', 'recommendations.changed', 'plans.changed', 'credentials.requested', 'credentials.changed', 'automation.changed', 'rules.changed'] as const

export type RequestChannelName = (typeof requestChannelNames)[number]
export type EventChannelName = (typeof eventChannelNames)[number]

/** IPC channel names used between preload and main. */
export const IPC_INVOKE = 'virtpilot:invoke'
export const IPC_EVENT = 'virtpilot:event'
