import { msg, said } from '../../i18n'
import { figure } from '../words'
import type { TuningAdvice, TuningRule } from './rule'
import { evidence, gib, guestsOf, hostsOf, pct } from './rule'

/**
 * KSM (kernel samepage merging) when memory is committed to guests at or near the host's RAM
 * and at least two guests run the same OS: their identical pages (kernel, libraries, zero pages)
 * can be merged. Quiet when KSM already runs, when memory is not tight, or when likeness is
 * unknown (no guest OS facts).
 */
export const ksmRule: TuningRule = {
  id: 'ksm',
  evaluate({ facts, options }) {
    const out: TuningAdvice[] = []
    for (const host of hostsOf(facts)) {
      if (!host.ksm || host.ksm.running) continue
      const guests = guestsOf(facts, host.hostId)
      const allocated = guests.reduce((a, v) => a + v.memoryMiB, 0)
      const ratio = allocated / host.memoryMiB
      if (ratio < options.ksmCommitRatio) continue
      const byOs = new Map<string, typeof guests>()
      for (const g of guests) if (g.guestOs && !g.noSharePages && !g.hugepagesBacking) byOs.set(g.guestOs, [...(byOs.get(g.guestOs) ?? []), g])
      const alike = [...byOs.entries()].filter(([, vs]) => vs.length >= 2).sort((a, b) => b[1].length - a[1].length)
      if (alike.length === 0) continue
      const alikeMiB = alike.reduce((a, [, vs]) => a + vs.reduce((s, v) => s + v.memoryMiB, 0), 0)
      // Conservative: published KSM savings for same-OS guests are 10-50 %; plan with the low end.
      const expectedMiB = Math.round(alikeMiB * 0.1)
      const groups = alike.map(([os, vs]) => `${vs.length} x ${os}`).join(', ')
      out.push({
        rule: 'ksm',
        target: { type: 'host', id: host.hostId },
        priority: ratio >= 1 ? 2 : 3,
        ...said({
          title: msg('engine.tuning.ksm.title', { host: host.hostId }),
          rationale: msg('engine.tuning.ksm.rationale', { host: host.hostId, allocated: gib(allocated), ram: gib(host.memoryMiB), share: pct(ratio), groups }),
          effect: msg('engine.tuning.ksm.effect', { expected: gib(expectedMiB), alike: gib(alikeMiB) }),
          riskNote: msg('engine.tuning.ksm.risk'),
        }),
        evidence: [
          { fact: '/sys/kernel/mm/ksm/run', value: 0 },
          evidence(msg('tuning.fact.guestMemory'), Math.round(allocated), 'MiB'),
          evidence(msg('tuning.fact.hostRam'), Math.round(host.memoryMiB), 'MiB'),
          evidence(msg('tuning.fact.sameOs'), groups),
        ],
        predicted: [figure(msg('engine.tuning.ksm.figure'), 'MiB', 0, expectedMiB)],
        risk: 'medium',
        needsRestart: false,
        confidence: 'normal',
        actions: [
          { action: { kind: 'setHostTuning', host: host.hostId, setting: 'ksm.run', value: '1' }, rollback: { kind: 'setHostTuning', host: host.hostId, setting: 'ksm.run', value: '2' } },
        ],
      })
    }
    return out
  },
}
