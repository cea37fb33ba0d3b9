import { afterEach, describe, expect, it } from 'vitest'
import type { Host, HostSample, Plan, Snapshot, Vm, VmSample } from '../../../shared/model'
import type { HostConnection } from '../../../src-main/ssh/connection'
import { createAutomation, type AutomationService } from '../../../src-main/services/automation'
import { createEngine } from '../../../src-main/services/engine'
import { EventBus } from '../../../src-main/services/events'
import { createInbox, type Inbox } from '../../../src-main/services/inbox'
import { createPlanService, type PlanService } from '../../../src-main/services/plans'
import { createRules, type RulesService } from '../../../src-main/services/rules'
import { openStore, type Store } from '../../../src-main/store'

// Automation through the services the app wires (inbox, rules, plan service with its builder,
// checks, signature and executor, the audit), with a fake clock. The hosts are FAKE: an
// in-memory virsh behind a stand-in HostConnection (an SSH host cannot run in a unit test; the
// lab test test/integration/automation.test.ts runs the same on real hosts).

const MONDAY_NOON = Date.UTC(2024, 0, 1, 12)
const uuidOf = (vm: string) => `00000000-0000-4000-8000-0000000000${vm.charCodeAt(0).toString(16)}`

function host(id: string): Host {
  return { id, name: id, source: 'libvirt', state: 'online', cpu: { model: 'x', sockets: 1, coresPerSocket: 8, threadsPerCore: 2, threads: 16, mhz: 2600 }, memoryMiB: 32768, numa: [], tags: [] }
}

/** Three hosts and where each VM runs; virsh as far as the executor asks it. */
class FakeLab {
  where = new Map<string, string>([['a', 'h1'], ['b', 'h1'], ['c', 'h2'], ['d', 'h2']])
  /** Hosts VirtPilot has no connection to (an apply touching them is refused before it starts). */
  unreachable = new Set<string>()
  /** Migrations that wait for an abort (domjobabort), by VM. */
  hanging = new Set<string>()
  private aborts = new Map<string, () => void>()
  commands: { host: string; argv: readonly string[] }[] = []

  vms(): Vm[] {
    return [...this.where].map(([id, hostId]) => ({ id, name: id, uuid: uuidOf(id), hostId, state: 'running', allocation: { vcpus: 2, maxVcpus: 4, memoryMiB: 2048, maxMemoryMiB: 4096 }, tags: [] }))
  }

  snapshot(t: number): Snapshot {
    const hosts = ['h1', 'h2', 'h3'].map(host)
    const hostSamples = hosts.map((h): HostSample => ({ hostId: h.id, t, cpuPct: 10, cpuUsedCores: 1.6, memUsedMiB: 8192, memTotalMiB: 32768, diskReadBps: 0, diskWriteBps: 0, netRxBps: 0, netTxBps: 0 }))
    const vmSamples = this.vms().map((v): VmSample => ({ vmId: v.id, hostId: v.hostId, t, cpuPct: 25, cpuUsedCores: 0.5, cpuReadyPct: 0, memUsedMiB: 1024, diskReadBps: 0, diskWriteBps: 0, diskReadIops: 0, diskWriteIops: 0, netRxBps: 0, netTxBps: 0 }))
    return { t, hosts, vms: this.vms(), hostSamples, vmSamples }
  }

  connection(hostId: string): HostConnection {
    const vmOf = (argv: readonly string[]) => [...this.where.keys()].find((vm) => argv.includes(uuidOf(vm)))
    const answer = (stdout: string, code = 0) => ({ stdout, stderr: '', code })
    const fake = {
      label: hostId,
      connect: async () => undefined,
      listenOnHostSocket: async () => ({ close: async () => undefined }),
      openSocketOnHost: async () => {
        throw new Error('the fake hosts have no libvirt socket')
      },
      exec: async (argv: readonly string[]) => {
        this.commands.push({ host: hostId, argv })
        if (argv[0] === 'mktemp') return answer('/tmp/virtpilot-migrate.AbCdEfGhIj\n')
        if (argv[0] === 'rm') return answer('')
        const verb = argv[3]
        const vm = vmOf(argv)
        if (verb === 'migrate' && vm) {
          const to = argv[argv.indexOf('--migrateuri') + 1]!.replace('tcp://', '')
          if (this.hanging.has(vm)) {
            await new Promise<void>((resolve) => this.aborts.set(vm, resolve))
            return answer('error: operation aborted: migration out job: canceled by client', 1)
          }
          this.where.set(vm, to)
          return answer('Migration: [100 %]')
        }
        if (verb === 'domjobabort' && vm) {
          this.aborts.get(vm)?.()
          return answer('')
        }
        if (verb === 'domjobinfo') return answer('Job type:         Unbounded\nData processed:   1.0 MiB\nData total:       2.0 GiB\n')
        if (verb === 'domstate' && vm) return answer(this.where.get(vm) === hostId ? 'running\n' : '', this.where.get(vm) === hostId ? 0 : 1)
        if (verb === 'list') return answer([...this.where].filter(([, h]) => h === hostId).map(([v]) => uuidOf(v)).join('\n'))
        return answer('', 1)
      },
    }
    return fake as unknown as HostConnection
  }
}

interface Wired {
  store: Store
  lab: FakeLab
  inbox: Inbox
  plans: PlanService
  rules: RulesService
  automation: AutomationService
  clock: { now: number }
}

let open: Store[] = []
afterEach(() => {
  for (const s of open) s.close()
  open = []
})

/** The services as services.ts wires them, on a fresh in-memory data file. */
function wire(existing?: Pick<Wired, 'store' | 'lab' | 'clock'>): Wired {
  const clock = existing?.clock ?? { now: MONDAY_NOON }
  const lab = existing?.lab ?? new FakeLab()
  const store = existing?.store ?? openStore(':memory:')
  if (!existing) {
    open.push(store)
    for (const [i, id] of ['h1', 'h2', 'h3'].entries()) store.managedHosts.add({ id, target: id, displayName: id, tags: [], addedAt: i })
  }
  const now = () => clock.now
  const snapshot = () => lab.snapshot(clock.now)
  const rediscover = () => {
    const s = lab.snapshot(clock.now)
    for (const h of s.hosts) store.inventory.save({ hosts: [h], vms: s.vms.filter((v) => v.hostId === h.id) }, clock.now)
  }
  rediscover()
  const events = new EventBus()
  const actor = 'alice (test)'
  const inbox = createInbox({ store, engine: createEngine(), events, clock: now, actor, snapshot, facts: () => [], engineOptions: () => rules.engineOptions(), afterAnalysis: () => automation.afterAnalysis() })
  const plans = createPlanService({
    store, clock: now, actor, inbox, log: () => undefined,
    ssh: { addressOf: (target) => target },
    connectionOf: (id) => (lab.unreachable.has(id) ? undefined : lab.connection(id)),
    onUpdate: (plan) => automation.onPlan(plan),
    onFinished: (plan) => {
      inbox.finished(plan)
      rediscover()
    },
  })
  const rules = createRules({ store, clock: now, actor, snapshot, emitSnapshot: () => undefined, inbox, plans })
  const automation: AutomationService = createAutomation({ store, clock: now, actor, log: () => undefined, snapshot, inbox, plans, rules, events, staleAfterMs: 30_000, acts: true })
  return { store, lab, inbox, plans, rules, automation, clock }
}

async function finished(store: Store, id: string): Promise<Plan> {
  for (let i = 0; i < 600; i++) {
    const plan = store.plans.getPlan(id)!
    if (plan.state !== 'ready' && plan.state !== 'running') return plan
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`plan ${id} did not finish`)
}

describe('automation through the normal approve -> plan -> apply path (fake hosts, fake clock)', () => {
  it('fixes a rule violation on its own, audited as automation, keeps to the hourly cap across a restart, and stops while paused', { timeout: 60_000 }, async () => {
    const w = wire()
    w.automation.update({ level: 'partially-automated', maxMovesPerHour: 1 })
    w.rules.add({ kind: 'anti-affinity', vms: ['a', 'b'], hosts: [] })

    await w.inbox.refresh()
    const round = w.automation.status().lastRound!
    expect(round.approved.map((a) => a.actor)).toEqual(['automation: partially-automated/P1-fix'])
    const plan = await finished(w.store, round.planId!)
    expect(plan.state, plan.steps.map((s) => s.message).join('; ')).toBe('done')
    expect(plan.approvedBy).toBe('automation: partially-automated/P1-fix')
    // The executor ran the real commands (virsh migrate through the tunnel, then the read-backs) on the fake hosts.
    expect(w.lab.commands.some((c) => c.argv.includes('migrate') && c.argv.includes('--live'))).toBe(true)
    expect(w.lab.where.get('a')).not.toBe(w.lab.where.get('b'))
    // Every entry of the plan, the approval and every command carry automation's actor.
    const entries = w.store.plans.listAudit({ planId: plan.id })
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(['plan', 'state', 'command', 'verify']))
    expect(new Set(entries.map((e) => e.actor))).toEqual(new Set(['automation: partially-automated/P1-fix']))
    const approval = w.store.plans.listAudit({}).find((e) => e.kind === 'decision' && e.recommendationId === plan.recommendationIds[0])!
    expect(approval).toMatchObject({ actor: 'automation: partially-automated/P1-fix', message: expect.stringMatching(/^approve: Move . from h1 to h[23] — P1 fix, applied automatically \(Partially automated\)$/) })
    const item = (await w.inbox.list()).items.find((i) => i.recommendation.id === plan.recommendationIds[0])!
    expect(item).toMatchObject({ status: 'applied', decidedBy: 'automation: partially-automated/P1-fix' })

    // A second violation within the hour: the cap (1 per hour) holds it back, even after a restart.
    w.clock.now += 10 * 60_000
    w.rules.add({ kind: 'anti-affinity', vms: ['c', 'd'], hosts: [] })
    await w.inbox.refresh()
    expect(w.automation.status().lastRound).toMatchObject({ approved: [], skipped: [expect.objectContaining({ reasonRef: expect.objectContaining({ key: 'automation.skip.cap' }) })] })
    const restarted = wire(w)
    expect(restarted.automation.status().movesLastHour).toBe(1)
    await restarted.inbox.refresh()
    expect(restarted.automation.status().lastRound!.approved).toEqual([])
    expect(w.lab.where.get('c')).toBe(w.lab.where.get('d'))

    // Paused: nothing starts, even when the cap allows it again.
    w.clock.now += 55 * 60_000
    restarted.automation.pause('finish')
    await restarted.inbox.refresh()
    expect(restarted.automation.status().lastRound).toMatchObject({ state: 'paused', approved: [] })
    expect(w.lab.where.get('c')).toBe(w.lab.where.get('d'))
    restarted.automation.resume()
    await restarted.inbox.refresh()
    const second = await finished(w.store, restarted.automation.status().lastRound!.planId!)
    expect(second.state).toBe('done')
    expect(w.lab.where.get('c')).not.toBe(w.lab.where.get('d'))
    // The audit keeps the admin's pause and resume under their name.
    expect(w.store.plans.listAudit({}).filter((e) => /^automation (paused|resumed)/.test(e.message)).map((e) => e.actor)).toEqual(['alice (test)', 'alice (test)'])
  })

  it('a pause that cancels stops the running automatic plan: its migration aborted, the VM where it was', { timeout: 60_000 }, async () => {
    const w = wire()
    w.lab.hanging.add('a').add('b')
    w.automation.update({ level: 'partially-automated' })
    w.rules.add({ kind: 'anti-affinity', vms: ['a', 'b'], hosts: [] })
    await w.inbox.refresh()
    const id = w.automation.status().lastRound!.planId!
    for (let i = 0; i < 200 && !w.lab.commands.some((c) => c.argv.includes('migrate')); i++) await new Promise((r) => setTimeout(r, 25))
    expect(w.automation.status().running).toEqual([id])
    w.automation.pause('cancel')
    const plan = await finished(w.store, id)
    expect(plan.state).not.toBe('done')
    expect(w.lab.commands.some((c) => c.argv.includes('domjobabort'))).toBe(true)
    expect([w.lab.where.get('a'), w.lab.where.get('b')]).toEqual(['h1', 'h1'])
    expect(w.store.plans.listAudit({}).some((e) => e.message === `automatic plan ${id} cancelled: automation was paused`)).toBe(true)
  })

  it('withdraws an automatic plan whose apply is refused up front, so the next round can act on its VMs', { timeout: 60_000 }, async () => {
    const w = wire()
    w.automation.update({ level: 'partially-automated' })
    w.lab.unreachable.add('h2').add('h3')
    w.rules.add({ kind: 'anti-affinity', vms: ['a', 'b'], hosts: [] })
    await w.inbox.refresh()
    const refused = w.automation.status().lastRound!
    expect(refused.problem, JSON.stringify(refused)).toBeDefined()
    const withdrawn = w.store.plans.getPlan(refused.planId!)!
    expect(withdrawn.state).toBe('cancelled')
    expect(withdrawn.steps.every((s) => s.state === 'cancelled')).toBe(true)
    expect(w.lab.commands.filter((c) => c.argv.includes('migrate'))).toEqual([])
    expect(w.store.plans.listAudit({ planId: withdrawn.id }).map((e) => e.messageRef?.key)).toContain('automation.audit.withdrawn')
    // The hosts are back: the next round takes the same VMs again, no longer "in a plan".
    w.lab.unreachable.clear()
    w.clock.now += 60_000
    await w.inbox.refresh()
    const next = w.automation.status().lastRound!
    expect(next.skipped.map((s) => s.reasonRef?.key)).not.toContain('automation.skip.inPlan')
    expect(next.planId).not.toBe(withdrawn.id)
    expect((await finished(w.store, next.planId!)).state).toBe('done')
    expect(w.lab.where.get('a')).not.toBe(w.lab.where.get('b'))
  })

  it('leaves everything to the admin at the manual level, and a VM set to manual is never acted on', async () => {
    const w = wire()
    w.rules.add({ kind: 'anti-affinity', vms: ['a', 'b'], hosts: [] })
    await w.inbox.refresh()
    expect(w.automation.status().lastRound).toMatchObject({ state: 'off', approved: [] })
    w.automation.update({ level: 'partially-automated' })
    w.automation.setVm('a', 'manual')
    w.automation.setVm('b', 'disabled')
    await w.inbox.refresh()
    const round = w.automation.status().lastRound!
    expect(round.approved).toEqual([])
    expect(round.skipped.map((s) => s.reasonRef?.key)).toContain('automation.skip.vmLevel')
    expect(w.store.plans.listPlans()).toEqual([])
  })
})
