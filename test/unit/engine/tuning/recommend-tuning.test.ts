import { describe, expect, it } from 'vitest'
import { RecommendationSchema } from '../../../../shared/model/recommendation'
import { host, snapshot, T0, usage, vm } from '../support/cluster'
import { recommendChecked } from '../support/plan'
import { evidenceInChinese } from './evidence-words'
import { cluster, hostFacts, vmFacts } from './facts'

const hosts = [host('h1', { threads: 16, memoryMiB: 65536 })]
const vms = [vm('db', 'h1', { vcpus: 8, memoryMiB: 16384 }), vm('web', 'h1', { vcpus: 2, memoryMiB: 4096 })]
const dbSample = { ...usage(vms[0]!, 3, 12000), diskReadIops: 900, diskWriteIops: 600 }
const snap = snapshot(hosts, vms, [dbSample, usage(vms[1]!, 0.5, 2000)])
const facts = cluster(
  [hostFacts('h1', { cpuGovernors: { powersave: 16 } })],
  [vmFacts('db', 'h1', { vcpus: 8, memoryMiB: 16384 }), vmFacts('web', 'h1', { balloon: 'none', nics: [{ type: 'bridge', model: 'e1000' }] })],
)
const input = { snapshot: snap, history: { vms: {} }, now: T0, seed: 7 }

describe('recommend() with facts', () => {
  it('adds tuning recommendations (kind tuning) that pass the plan validator, with their evidence in `tuning`', () => {
    const out = recommendChecked({ ...input, facts })
    const tuning = out.recommendations.filter((r) => r.kind === 'tuning')
    for (const r of tuning) RecommendationSchema.parse(r)
    expect(out.tuning.map((a) => `${a.rule}:${a.target.id}`).sort()).toEqual(['balloon:web', 'governor:h1', 'iothreads:db', 'virtio-nic:web'])
    expect(tuning).toHaveLength(out.tuning.length)
    expect(new Set(out.recommendations.map((r) => r.id)).size).toBe(out.recommendations.length)
    // Disk load comes from the latest poll: 900 + 600 IOPS.
    expect(out.tuning.find((a) => a.rule === 'iothreads')!.evidence[0]).toMatchObject({ fact: 'disk operations (sustained)', value: 1500, unit: 'IOPS' })
    for (const advice of out.tuning) evidenceInChinese(advice, ['h1', 'db', 'web', 'vda', 'e1000', 'powersave'])
  })

  it('gives no tuning advice without facts, and is deterministic with them', () => {
    expect(recommendChecked(input).tuning).toEqual([])
    expect(recommendChecked(input).recommendations.some((r) => r.kind === 'tuning')).toBe(false)
    expect(recommendChecked({ ...input, facts })).toEqual(recommendChecked({ ...input, facts }))
  })

  it('takes the overcommit limits from the balance options', () => {
    const out = recommendChecked({ ...input, facts, options: { balance: { cpuOvercommit: 0.5 } } })
    expect(out.tuning.find((a) => a.rule === 'overcommit')?.rationale).toContain('10 vCPUs on 16 CPUs is 0.6:1, above the 0.5:1 limit')
  })
})
