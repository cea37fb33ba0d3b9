import type { Handlers } from '../../shared/api'
import type { Core } from '../services/core'

/**
 * The api's front door: one line per channel of shared/api/contract.ts, each a call into the
 * core services (the same functions the CLI calls). Requests arrive validated by dispatch.
 */
export function apiHandlers(core: Core): Handlers {
  const { cluster, hosts, credentials, inbox, plans, audit, history, whatif } = core
  return {
    'app.info': async () => core.info(),
    'cluster.snapshot': async () => cluster.snapshot(),
    'cluster.history': async (req) => history.cluster(req),
    'settings.get': async () => cluster.settings(),
    'settings.update': (patch) => cluster.updateSettings(patch),
    'metrics.status': async () => core.metrics.status(),
    'hosts.list': async () => hosts.list(),
    'hosts.add': (req) => cluster.addHost(req),
    'hosts.remove': async ({ id }) => ({ removed: await hosts.remove(id) }),
    'hosts.answerHostKey': ({ promptId, accept }) => hosts.answerHostKey(promptId, accept),
    'hosts.reconnect': ({ id }) => hosts.reconnect(id),
    'credentials.pending': async () => credentials.pending(),
    'credentials.answer': async ({ requestId, secret, remember }) => ({ accepted: credentials.answer(requestId, secret, remember) }),
    'recommendations.list': async () => inbox.list(),
    'recommendations.refresh': ({ strategy }) => inbox.refresh(strategy),
    'recommendations.decide': async ({ id, decision, reason, snoozeHours, moves }) => inbox.decide(id, decision, reason, snoozeHours, moves),
    'recommendations.request': async (req) => inbox.request(req),
    'plans.create': ({ recommendationIds, parallelism, allowUnsafeMigration }) => plans.createFromInbox(recommendationIds, { parallelism, allowUnsafeMigration }),
    'plans.list': async () => plans.list(),
    'plans.get': async ({ id }) => plans.get(id),
    'plans.apply': ({ id }) => plans.apply(id),
    'plans.cancel': async ({ id }) => plans.cancelRunning(id),
    'plans.readBack': ({ id }) => plans.readBack(id),
    'plans.resume': ({ id }) => plans.resume(id),
    'plans.rollBack': ({ id }) => plans.rollBack(id),
    'plans.dryRun': ({ id }) => plans.dryRun(id),
    'plans.export': async ({ id, format }) => plans.exported(plans.get(id), format),
    'audit.list': async (q) => audit.list(q),
    'audit.export': async ({ format, language, ...range }) => audit.export(format, range, language),
    'whatif.list': whatif.list,
    'whatif.build': whatif.build,
    'whatif.import': whatif.import,
    'whatif.get': whatif.get,
    'whatif.save': whatif.save,
    'whatif.delete': whatif.delete,
    'whatif.run': whatif.run,
    'dashboard.overview': async () => core.overview(),
    'series.query': async (q) => history.series(q),
    'host.history': async (q) => history.hostHistory(q),
    'host.facts': async ({ hostId }) => {
      for (const facts of core.facts()) {
        const host = facts.hosts[hostId]
        if (host) return { host, vms: Object.values(facts.vms).filter((v) => v.hostId === hostId) }
      }
      return { host: null, vms: [] }
    },
    'storage.host': async ({ hostId }) => core.storage.host(hostId),
    'storage.vm': async ({ vmId }) => core.storage.vm(vmId),
    'perf.preview': async ({ vmId, seconds }) => core.perfKvm.preview(vmId, seconds),
    'perf.run': ({ vmId, seconds }) => core.perfKvm.run(vmId, seconds),
    'perf.list': async ({ vmId }) => core.perfKvm.list(vmId),
    'rules.list': async () => core.rules.list(),
    'rules.add': async (rule) => core.rules.add(rule),
    'rules.remove': async ({ id }) => ({ removed: core.rules.remove(id) }),
    'maintenance.enter': ({ hostId, allowUnsafeMigration }) => core.rules.enter(hostId, { allowUnsafeMigration }),
    'maintenance.exit': async ({ hostId }) => ({ exited: core.rules.exit(hostId) }),
    'automation.get': async () => core.automation.status(),
    'automation.update': async (patch) => core.automation.update(patch),
    'automation.setVm': async ({ vmId, level }) => core.automation.setVm(vmId, level),
    'automation.pause': async ({ running }) => core.automation.pause(running),
    'automation.resume': async () => core.automation.resume(),
  }
}
