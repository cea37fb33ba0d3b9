import type { TuningAdvice, TuningRule } from './rule'
import { gib, guestsOf, hostsOf } from './rule'

/**
 * Huge pages for large-memory VMs: with transparent hugepages off (`never`), a large guest's RAM
 * is mapped in 4 KiB pages and its TLB misses cost two-level page walks; QEMU asks for THP with
 * madvise, so `madvise` is enough. And a VM set to use static hugepages whose host pool has too
 * few free pages will not start: the pool must grow first.
 */
export const hugepagesRule: TuningRule = {
  id: 'hugepages',
  evaluate({ facts, options }) {
    const out: TuningAdvice[] = []
    for (const host of hostsOf(facts)) {
      const guests = guestsOf(facts, host.hostId)
      const large = guests.filter((v) => v.memoryMiB >= options.largeVmMiB && !v.hugepagesBacking)
      if (host.transparentHugepages === 'never' && large.length > 0) {
        const names = large.map((v) => `${v.name} (${gib(v.memoryMiB)})`).join(', ')
        out.push({
          rule: 'hugepages',
          target: { type: 'host', id: host.hostId },
          priority: 3,
          title: `Allow transparent hugepages (madvise) on ${host.hostId}`,
          rationale: `Transparent hugepages are off (never) on ${host.hostId} while ${large.length} large guest(s) run there: ${names}. QEMU requests huge pages for guest RAM through madvise.`,
          evidence: [
            { fact: '/sys/kernel/mm/transparent_hugepage/enabled', value: 'never' },
            { fact: `guests of at least ${gib(options.largeVmMiB)}`, value: large.length },
          ],
          effect: 'Guest RAM is backed by 2 MiB pages where the kernel can find them: fewer TLB misses, typically a few % to 10 % faster memory-heavy work.',
          predicted: [{ label: 'Large guests backed by huge pages', unit: 'VMs', before: 0, after: large.length }],
          risk: 'low',
          riskNote: 'khugepaged compacts memory in the background (some CPU); madvise limits huge pages to processes that ask. Takes effect for memory the guests touch from now on.',
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
      const wanting = Object.values(facts.vms).filter((v) => v.hostId === host.hostId && v.hugepagesBacking && !v.running)
      const needPages = wanting.reduce((a, v) => a + Math.ceil((v.memoryMiB * 1024) / 2048), 0)
      if (pool && wanting.length > 0 && needPages > pool.free) {
        const target = pool.total + (needPages - pool.free)
        out.push({
          rule: 'hugepages',
          target: { type: 'host', id: host.hostId },
          priority: 2,
          title: `Grow the 2 MiB hugepage pool on ${host.hostId} to ${target} pages`,
          rationale: `${wanting.map((v) => v.name).join(', ')} ${wanting.length === 1 ? 'is' : 'are'} set to use hugepages and need ${needPages} free 2 MiB pages, but the pool has ${pool.free} free of ${pool.total}: ${wanting.length === 1 ? 'it' : 'they'} would fail to start.`,
          evidence: [
            { fact: 'hugepages-2048kB free_hugepages', value: pool.free },
            { fact: 'hugepages-2048kB nr_hugepages', value: pool.total },
            { fact: 'pages needed by stopped hugepage-backed VMs', value: needPages },
          ],
          effect: `The pool holds ${target} pages (${gib((target * 2048) / 1024)}), enough for these VMs to start.`,
          predicted: [{ label: 'Free 2 MiB hugepages', unit: 'pages', before: pool.free, after: pool.free + (target - pool.total) }],
          risk: 'medium',
          riskNote: `Reserves ${gib(((target - pool.total) * 2048) / 1024)} of RAM for hugepages only; on a long-running host the kernel may find fewer contiguous pages than asked (check nr_hugepages after).`,
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
