import { describe, expect, it } from 'vitest'
import { fixViolations, nextViolation, unfixableViolations, type Findings } from '../../../../shared/engine/balance/mandatory'
import { english, formatMessage } from '../../../../shared/i18n'
import type { MessageRef } from '../../../../shared/model'
import { englishRuns } from '../../../support/english-runs'
import { MoveLog } from '../../../../shared/engine/balance/moves'
import { ClusterState } from '../../../../shared/engine/balance/state'
import { phost, problemOf, pvm } from '../support/placement'

const reasonOf = (state: ClusterState) => nextViolation(state, new Set())?.reason

describe('nextViolation: what phase 1 must fix, in words', () => {
  it('names a host in maintenance, a VM off its pinned hosts, anti-affine neighbours and a split affinity group', () => {
    expect(reasonOf(new ClusterState(problemOf([phost('h0', { maintenance: true }), phost('h1')], [pvm('a', 'h0', 1, 1)])))).toBe('host h0 is in maintenance')
    expect(reasonOf(new ClusterState(problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 1, { allowedHosts: ['h1'] })])))).toBe('a is pinned to h1')
    expect(reasonOf(new ClusterState(problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 1), pvm('b', 'h0', 1, 1)], { antiAffinity: [['a', 'b']] })))).toBe(
      'b shares host h0 with an anti-affine VM',
    )
    expect(reasonOf(new ClusterState(problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 1), pvm('b', 'h1', 1, 1)], { affinity: [['a', 'b']] })))).toBe('a+b must run together (affinity)')
    expect(reasonOf(new ClusterState(problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 1), pvm('b', 'h1', 1, 1)])))).toBeUndefined()
  })

  it('says each reason as a message too, the same in English', () => {
    const cases = [
      problemOf([phost('h0', { maintenance: true }), phost('h1')], [pvm('a', 'h0', 1, 1)]),
      problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 1, { allowedHosts: ['h1'] })]),
      problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 1), pvm('b', 'h0', 1, 1)], { antiAffinity: [['a', 'b']] }),
      problemOf([phost('h0'), phost('h1')], [pvm('a', 'h0', 1, 1), pvm('b', 'h1', 1, 1)], { affinity: [['a', 'b']] }),
    ]
    for (const p of cases) {
      const v = nextViolation(new ClusterState(p), new Set())!
      expect(english(v.reasonRef)).toBe(v.reason)
      expect(englishRuns(formatMessage(v.reasonRef, 'zh-CN'), { names: ['a', 'b', 'a+b', 'h0', 'h1'] })).toEqual([])
    }
  })

  it('over an overcommit limit, picks the VM that removes the whole excess in one move', () => {
    // h0 carries 6 vCPUs over a limit of 4: the 2-vCPU VM removes all of it, the 1-vCPU ones half.
    const state = new ClusterState(problemOf([phost('h0', { vcpuLimit: 4 }), phost('h1')], [pvm('one', 'h0', 1, 1), pvm('two', 'h0', 2, 1), pvm('three', 'h0', 1, 1), pvm('four', 'h0', 1, 1), pvm('five', 'h0', 1, 1)]))
    const v = nextViolation(state, new Set())!
    expect(v.reason).toBe('host h0 is over its overcommit limit')
    expect(state.problem.vms[state.units[v.unit]![0]!]!.id).toBe('two')
  })
})

describe('fixViolations: phase 1', () => {
  it('moves what breaks a rule as mandatory priority-1 moves, and reports what no host can take', () => {
    const p = problemOf([phost('h0', { maintenance: true }), phost('h1', { memAllocLimitMiB: 4 * 1024 }), phost('h2')], [pvm('a', 'h0', 1, 2), pvm('huge', 'h0', 1, 12)])
    const state = new ClusterState(p)
    const log = new MoveLog(state, 1000)
    const stuck = new Set<number>()
    const findings: Findings = { unresolved: [], notes: [] }
    const unresolved = fixViolations(state, log, stuck, [], findings)
    expect(log.moves.map((m) => [m.vmId, m.to, m.mandatory, m.priority])).toEqual([['a', 'h1', true, 1]])
    expect(unresolved).toEqual(['host h0 is in maintenance: no host can take huge within capacity and rules'])
    expect(stuck.size).toBe(1)
    // The same, as a message the admin reads in their language.
    expect(findings.unresolved.map(english)).toEqual(unresolved)
    expect(findings.unresolved.map((r) => formatMessage(r, 'zh-CN'))).toEqual(['宿主机 h0 处于维护模式：在容量和规则之内，没有宿主机能接纳 huge'])
  })
})

describe('unfixableViolations', () => {
  it('reports VMs both affine and anti-affine, and rules broken by VMs another balancer manages', () => {
    const p = problemOf(
      [phost('h0', { maintenance: true }), phost('h1')],
      [pvm('a', 'h1', 1, 1), pvm('b', 'h1', 1, 1), pvm('m', 'h0', 1, 1, { movable: false }), pvm('p', 'h1', 1, 1, { movable: false, allowedHosts: ['h0'] })],
      { affinity: [['a', 'b']], antiAffinity: [['a', 'b']] },
    )
    const refs: MessageRef[] = []
    const words = unfixableViolations(new ClusterState(p), refs)
    expect(words).toEqual([
      'a and b must run together (affinity) and apart (anti-affinity)',
      'host h0 is in maintenance: m is managed by another balancer',
      'p is pinned to h0: it is managed by another balancer',
    ])
    expect(refs.map(english)).toEqual(words)
    for (const ref of refs) expect(englishRuns(formatMessage(ref, 'zh-CN'), { names: ['a', 'b', 'm', 'p', 'h0'] })).toEqual([])
  })
})
