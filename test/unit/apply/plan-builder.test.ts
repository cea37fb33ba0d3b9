import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import type { Recommendation, ReversibleAction, Snapshot } from '../../../shared/model'
import { buildPlan, commandContext, PlanError } from '../../../src-main/apply/plan-builder'
import { asApproved } from '../../../src-main/services/plans'
import { planToAnsible, planToShell } from '../../../src-main/apply/export'
import { DemoCluster } from '../../../src-main/hosts/demo/demo-cluster'

async function demoSnapshot(): Promise<Snapshot> {
  const inv = await new DemoCluster().discover()
  return { t: 1, ...inv, hostSamples: [], vmSamples: [] }
}

function rec(id: string, actions: ReversibleAction[]): Recommendation {
  return { id, kind: 'migrate', target: { type: 'vm', id: 'x' }, priority: 3, title: id, rationale: '', predicted: [], risk: 'low', riskNote: '', needsRestart: false, confidence: 'normal', actions }
}

describe('buildPlan', () => {
  it('frees room before moving in, moves before growing, and carries exact commands and rollbacks', async () => {
    const snapshot = await demoSnapshot()
    const ctx = commandContext(snapshot, () => undefined, false)
    const [a, b] = ['demo:bb041-a', 'demo:bb010-a']
    const plan = buildPlan({
      id: 'p1',
      now: 5,
      approvedBy: 'ann',
      parallelism: 1,
      snapshot,
      ctx,
      recommendations: [
        rec('grow', [{ action: { kind: 'setVcpus', vm: b, host: 'demo-a', count: 2, live: true }, rollback: { kind: 'setVcpus', vm: b, host: 'demo-a', count: 1, live: true } }]),
        rec('move', [{ action: { kind: 'migrate', vm: a, from: 'demo-c', to: 'demo-a', live: true }, rollback: { kind: 'migrate', vm: a, from: 'demo-a', to: 'demo-c', live: true } }]),
        rec('shrink', [{ action: { kind: 'setMemory', vm: b, host: 'demo-a', memoryMiB: 1024, live: true }, rollback: { kind: 'setMemory', vm: b, host: 'demo-a', memoryMiB: 2048, live: true } }]),
      ],
    })
    expect(plan.steps.map((s) => s.recommendationId)).toEqual(['shrink', 'move', 'grow'])
    expect(plan.steps[1]!.dependsOn).toEqual(['step-1'])
    expect(plan.steps[2]!.dependsOn).toEqual(['step-1', 'step-2'])
    expect(plan.steps[1]!.commands[0]!.argv.join(' ')).toMatch(/virsh -c qemu:\/\/\/system migrate --live .*--domain [0-9a-f-]{36} /)
    expect(plan.steps[1]!.rollbackCommands[0]!.host).toBe('demo-a')
    expect(plan.steps[1]!.estimatedSeconds).toBeGreaterThan(plan.steps[0]!.estimatedSeconds)
    expect(plan.state).toBe('ready')

    const shell = planToShell(plan, (h) => `admin@${h}.lab`)
    expect(shell).toMatch(/^#!\/bin\/sh\n/)
    expect(shell).toContain("ssh -o BatchMode=yes admin@demo-a.lab -- 'virsh -c qemu:///system setmem --domain")
    expect(shell).toContain('-L "$dir/libvirt.sock:/run/libvirt/libvirt-sock"')
    // The migration reaches the destination through a socket in a private directory on the source.
    expect(shell).toContain('-R "$rdir/libvirt.sock:$dir/libvirt.sock"')
    expect(shell).toContain(`socket='"$rdir"'/libvirt.sock`)
    // The script parses as POSIX sh.
    expect(execFileSync('/bin/sh', ['-n'], { input: shell }).toString()).toBe('')
    const playbook = planToAnsible(plan, (h) => `${h}.lab`)
    expect(playbook).toContain('ansible.builtin.command:')
    expect(playbook).toContain('"--p2p"')
    expect(playbook).toContain('qemu+ssh://demo-a.lab/system')
  })

  it('resizes a VM on the host it was moved to earlier in the same plan', async () => {
    const snapshot = await demoSnapshot()
    const ctx = commandContext(snapshot, () => undefined, false)
    const vm = 'demo:bb041-a'
    const plan = buildPlan({
      id: 'p2',
      now: 5,
      approvedBy: 'ann',
      parallelism: 1,
      snapshot,
      ctx,
      recommendations: [
        rec('grow', [{ action: { kind: 'setMemory', vm, host: 'demo-c', memoryMiB: 22000, live: true }, rollback: { kind: 'setMemory', vm, host: 'demo-c', memoryMiB: 20480, live: true } }]),
        rec('move', [{ action: { kind: 'migrate', vm, from: 'demo-c', to: 'demo-a', live: true }, rollback: { kind: 'migrate', vm, from: 'demo-a', to: 'demo-c', live: true } }]),
      ],
    })
    expect(plan.steps.map((s) => s.recommendationId)).toEqual(['move', 'grow'])
    expect(plan.steps[1]!.host).toBe('demo-a')
    expect(plan.steps[1]!.commands[0]!.host).toBe('demo-a')
    expect(plan.steps[1]!.rollbackCommands[0]!.host).toBe('demo-a')
  })

  it("names each move of a partly approved rebalance by its number in the set as recommended", async () => {
    const snapshot = await demoSnapshot()
    const ctx = commandContext(snapshot, () => undefined, false)
    const moves: [string, string, string][] = [['demo:bb041-a', 'demo-c', 'demo-a'], ['demo:bb010-a', 'demo-a', 'demo-b'], ['demo:bb232-a', 'demo-c', 'demo-b']]
    const move = ([vmId, from, to]: [string, string, string]) => ({ vmId, from, to, cpuClaim: 1, memClaim: 1024, vcpus: 1, memoryMiB: 1024, costSeconds: 10, dependsOn: [], reason: '', predicted: [] })
    const set: Recommendation = {
      ...rec('set', moves.map(([vm, from, to]) => ({ action: { kind: 'migrate', vm, from, to, live: true }, rollback: { kind: 'migrate', vm, from: to, to: from, live: true } }))),
      rebalance: { hosts: [], cpuWeight: 0.5, memWeight: 0.5, moves: moves.map(move), approved: { moves: [0, 2], predicted: [] } },
    }
    const plan = buildPlan({ id: 'p', now: 1, approvedBy: 'a', parallelism: 1, snapshot, ctx, recommendations: [asApproved(set)] })
    const names = new Map(snapshot.vms.map((v) => [v.id, v.name]))
    expect(plan.steps.map((s) => s.title)).toEqual([
      `Move ${names.get('demo:bb041-a')} from demo-c to demo-a (move 1 of 3 in the rebalance)`,
      `Move ${names.get('demo:bb232-a')} from demo-c to demo-b (move 3 of 3 in the rebalance)`,
    ])
  })

  it('refuses advice that VirtPilot does not apply, naming it', async () => {
    const snapshot = await demoSnapshot()
    const ctx = commandContext(snapshot, () => undefined, false)
    expect(() =>
      buildPlan({ id: 'p', now: 1, approvedBy: 'a', parallelism: 1, snapshot, ctx, recommendations: [rec('ksm', [{ action: { kind: 'setHostTuning', host: 'demo-a', setting: 'ksm.run', value: '1' }, rollback: { kind: 'setHostTuning', host: 'demo-a', setting: 'ksm.run', value: '0' } }])] }),
    ).toThrow(PlanError)
  })

  it('refuses changes on a Proxmox VE node, naming the node and what to use instead', async () => {
    const demo = await demoSnapshot()
    const snapshot: Snapshot = { ...demo, hosts: demo.hosts.map((h) => (h.id === 'demo-a' ? { ...h, source: 'proxmox' as const, name: 'pve1' } : h)) }
    const ctx = commandContext(snapshot, () => undefined, false)
    const vm = 'demo:bb041-a'
    const build = (actions: ReversibleAction[]) => () => buildPlan({ id: 'p', now: 1, approvedBy: 'a', parallelism: 1, snapshot, ctx, recommendations: [rec('r', actions)] })
    expect(build([{ action: { kind: 'migrate', vm, from: 'demo-c', to: 'demo-a', live: true }, rollback: { kind: 'migrate', vm, from: 'demo-a', to: 'demo-c', live: true } }])).toThrow(/pve1 is a Proxmox VE node.*qm/)
    // The same change on a libvirt host of the same snapshot still plans.
    expect(build([{ action: { kind: 'setMemory', vm, host: 'demo-c', memoryMiB: 22000, live: true }, rollback: { kind: 'setMemory', vm, host: 'demo-c', memoryMiB: 20480, live: true } }])().steps).toHaveLength(1)
  })
})
