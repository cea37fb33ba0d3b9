import { msg, said, sentences } from '../../i18n'
import { figure } from '../words'
import { coresText, fromConfiguration, measuredEvidence } from './measured'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, gib, guestsOf, hostsOf, vmsOf } from './rule'

/**
 * Huge pages for large-memory VMs: with transparent hugepages off (`never`), a large guest's RAM
 * is mapped in 4 KiB pages and its TLB misses cost two-level page walks; QEMU asks for THP with
 * madvise, so `madvise` is enough. And a VM set to use static hugepages whose host pool has too
 * few free pages will not start: the pool must grow first. Where the large guests' vCPU time was
 * measured, the usual 3-10 % gain of memory-heavy work is said in cores of it.
 */
export const hugepagesRule: TuningRule = {
  id: 'hugepages',
  evaluate({ facts, usage, options }) {
    const out: TuningAdvice[] = []
    for (const host of hostsOf(facts)) {
      const guests = guestsOf(facts, host.hostId)
      const large = guests.filter((v) => v.memoryMiB >= options.largeVmMiB && !v.hugepagesBacking)
      if (host.transparentHugepages === 'never' && large.length > 0) {
        const names = large.map((v) => `${v.name} (${gib(v.memoryMiB)})`).join(', ')
        const windows = large.map((v) => usage.vms[v.vmId]?.measured).filter((w) => w !== undefined)
        const vcpuOf = (w: (typeof windows)[number]) => w.mean.qemuVcpuCores ?? w.mean.cpuUsedCores
        // Measured only when every large guest was: a part would understate the gain.
        const measured =
          windows.length === large.length && windows.every((w) => vcpuOf(w) !== undefined)
            ? { cores: windows.reduce((a, w) => a + vcpuOf(w)!, 0), minutes: Math.max(...windows.map((w) => w.minutes)) }
            : undefined
        const none = fromConfiguration()
        out.push({
          rule: 'hugepages',
          target: { type: 'host', id: host.hostId },
          priority: 3,
          ...said({
            title: msg('engine.tuning.thp.title', { host: host.hostId }),
            rationale: sentences(
              msg('engine.tuning.thp.rationale', { host: host.hostId, count: large.length, names }),
              measured ? msg('engine.tuning.thp.measured', { minutes: measured.minutes, cores: coresText(measured.cores) }) : none.sentence,
            ),
            effect: measured
              ? msg('engine.tuning.thp.effectMeasured', { cores: coresText(measured.cores), low: coresText(measured.cores * 0.03), high: coresText(measured.cores * 0.1) })
              : msg('engine.tuning.thp.effect'),
            riskNote: msg('engine.tuning.thp.risk'),
          }),
          evidence: [
            { fact: '/sys/kernel/mm/transparent_hugepage/enabled', value: 'never' },
            evidence(msg('tuning.fact.largeGuests', { size: gib(options.largeVmMiB) }), large.length),
            measured ? measuredEvidence(msg('tuning.fact.largeGuestsVcpuTime'), measured.cores, 'cores', measured.minutes) : none.evidence,
          ],
          predicted: [figure(msg('engine.tuning.thp.figure'), 'VMs', 0, large.length)],
          risk: 'low',
          needsRestart: false,
          confidence: 'normal',
          actions: [
            {
              action: { kind: 'setHostTuning', host: host.hostId, setting: 'transparent_hugepage.enabled', value: 'madvise' },
              rollback: { kind: 'setHostTuning', host: host.hostId, setting: 'transparent_hugepage.enabled', value: 'never' },
            },
          ],
        })
      }

      const pool = host.hugepagePools.find((p) => p.sizeKiB === 2048)
      const wanting = vmsOf(facts, host.hostId).filter((v) => v.hugepagesBacking && !v.running)
      const needPages = wanting.reduce((a, v) => a + Math.ceil((v.memoryMiB * 1024) / 2048), 0)
      if (pool && wanting.length > 0 && needPages > pool.free) {
        const target = pool.total + (needPages - pool.free)
        out.push({
          rule: 'hugepages',
          target: { type: 'host', id: host.hostId },
          priority: 2,
          ...said({
            title: msg('engine.tuning.hugepagePool.title', { host: host.hostId, pages: target }),
            rationale: msg('engine.tuning.hugepagePool.rationale', { vms: wanting.map((v) => v.name).join(', '), count: wanting.length, needed: needPages, free: pool.free, total: pool.total }),
            effect: msg('engine.tuning.hugepagePool.effect', { pages: target, size: gib((target * 2048) / 1024) }),
            riskNote: msg('engine.tuning.hugepagePool.risk', { size: gib(((target - pool.total) * 2048) / 1024) }),
          }),
          evidence: [
            { fact: 'hugepages-2048kB free_hugepages', value: pool.free },
            { fact: 'hugepages-2048kB nr_hugepages', value: pool.total },
            evidence(msg('tuning.fact.stoppedHugepages'), needPages),
          ],
          predicted: [figure(msg('engine.tuning.hugepagePool.figure'), 'pages', pool.free, pool.free + (target - pool.total))],
          risk: 'medium',
          needsRestart: false,
          confidence: 'normal',
          actions: [
            {
              action: { kind: 'setHostTuning', host: host.hostId, setting: 'hugepages.nr_2M', value: String(target) },
              rollback: { kind: 'setHostTuning', host: host.hostId, setting: 'hugepages.nr_2M', value: String(pool.total) },
            },
          ],
        })
      }
    }
    return out
  },
}
