import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PlanSchema, type Host, type Plan, type Recommendation, type ReversibleAction, type Vm } from '../../../shared/model'
import { runPlan } from '../../../src-main/apply/executor'
import { commandContext } from '../../../src-main/apply/plan-builder'
import { planSignature } from '../../../src-main/services/plans'
import { createServices, type Services } from '../../../src-main/services/services'
import { openStore, type Store } from '../../../src-main/store'

// A plan file is data: H1 of the 2026-12-05 security review. Hosts are named by ~/.ssh/config
// aliases whose HostName is where migrations go; nothing here connects to a host.

const UUID1 = '11111111-2222-4333-8444-555555555555'
const UUID2 = '66666666-7777-4888-9999-aaaaaaaaaaaa'

function host(id: string): Host {
  return { id, name: id, source: 'libvirt', state: 'online', cpu: { model: 'x', sockets: 1, coresPerSocket: 4, threadsPerCore: 2, threads: 8, mhz: 2000 }, memoryMiB: 16384, numa: [], tags: [] }
}
function vm(id: string, uuid: string, hostId: string): Vm {
  return { id, name: `web-${id}`, uuid, hostId, state: 'running', allocation: { vcpus: 2, maxVcpus: 4, memoryMiB: 2048, maxMemoryMiB: 4096, cpuShares: 1024 }, tags: [] }
}
function rec(id: string, actions: ReversibleAction[]): Recommendation {
  const first = actions[0]!.action
  return { id, kind: first.kind === 'migrate' ? 'migrate' : 'rightsize-cpu', target: { type: 'vm', id: 'vm' in first ? first.vm : 'x' }, priority: 3, title: id, rationale: 'test', predicted: [], risk: 'low', riskNote: '', needsRestart: false, confidence: 'normal', actions }
}

let dir: string
let data: Store
let services: Services

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-planfile-'))
  const ssh = join(dir, '.ssh')
  mkdirSync(ssh)
  writeFileSync(join(ssh, 'config'), 'Host kvm1\n  HostName 192.0.2.11\nHost kvm2\n  HostName 192.0.2.12\n')
  data = openStore(join(dir, 'virtpilot.db'))
  data.managedHosts.add({ id: 'kvm1', target: 'kvm1', displayName: 'kvm1', tags: [], addedAt: 1 })
  data.managedHosts.add({ id: 'kvm2', target: 'kvm2', displayName: 'kvm2', tags: [], addedAt: 2 })
  data.inventory.save({ hosts: [host('kvm1')], vms: [vm('a', UUID1, 'kvm1')] }, 1)
  data.inventory.save({ hosts: [host('kvm2')], vms: [vm('b', UUID2, 'kvm2')] }, 1)
  services = createServices({ transport: 'cli', dataFile: join(dir, 'virtpilot.db'), version: 't', sshDir: ssh, demo: 'off', log: () => {} })
})

afterEach(async () => {
  data.close()
  await services.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function makePlan(): Promise<Plan> {
  return services.plans.create({
    recommendations: [
      rec('move', [{ action: { kind: 'migrate', vm: 'a', from: 'kvm1', to: 'kvm2', live: true }, rollback: { kind: 'migrate', vm: 'a', from: 'kvm2', to: 'kvm1', live: true } }]),
      rec('cpu', [{ action: { kind: 'setVcpus', vm: 'b', host: 'kvm2', count: 3, live: true }, rollback: { kind: 'setVcpus', vm: 'b', host: 'kvm2', count: 2, live: true } }]),
    ],
    parallelism: 1,
    allowUnsafeMigration: false,
    idSuffix: 'test',
  })
}

/** Every leaf of a JSON value with a path, for editing one at a time. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]))
  return [path]
}

/** The same file with one field changed as an editor would (another state, a longer word, one more). */
function edited(plan: Plan, path: (string | number)[]): unknown {
  const copy = structuredClone(plan) as unknown as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const key = path.at(-1)!
  const old = parent[key]
  if (key === 'state') parent[key] = old === 'ready' ? 'done' : old === 'pending' ? 'done' : 'ready'
  else if (typeof old === 'string') parent[key] = /^[0-9a-f-]{36}$/.test(old) ? `${old[0] === '7' ? '8' : '7'}${old.slice(1)}` : `${old}x`
  else if (typeof old === 'number') parent[key] = old + 1
  else if (typeof old === 'boolean') parent[key] = !old
  return copy
}

describe('plan files are data, never code', () => {
  it('renders VMs by the stored UUID and migrations to the address ~/.ssh/config gives, and accepts the plan as made', async () => {
    const plan = await makePlan()
    const migrate = plan.steps.find((s) => s.action.kind === 'migrate')!
    expect(migrate.commands[0]!.argv).toEqual(expect.arrayContaining(['--domain', UUID1, '--migrateuri', 'tcp://192.0.2.12']))
    await expect(services.plans.check(PlanSchema.parse(JSON.parse(JSON.stringify(plan))))).resolves.toBeDefined()
  })

  it('refuses every edit of every field of a plan file', async () => {
    const plan = await makePlan()
    const paths = leaves(plan)
    expect(paths.length).toBeGreaterThan(40)
    for (const path of paths) {
      const parsed = PlanSchema.safeParse(edited(plan, path))
      // A value the schema refuses never reaches a check: `apply` stops at reading the file.
      if (!parsed.success) continue
      const outcome = await services.plans.check(parsed.data).then(() => 'accepted', (e: Error) => e.message)
      expect(outcome, `edit of ${path.join('.')}`).toMatch(/changed|out of date|only a ready plan/)
    }
    const { signature: _s, ...unsigned } = plan
    await expect(services.plans.check(unsigned)).rejects.toThrow(/signature/)
  })

  it('refuses an edit of what runs even when the edited plan is signed again (commands are rendered anew)', async () => {
    const plan = await makePlan()
    const key = Buffer.from(data.meta.get('plan_key')!, 'hex')
    const runs = leaves(plan).filter((p) => ['action', 'rollback', 'host', 'commands', 'verify', 'rollbackCommands'].includes(String(p[2])) && p[0] === 'steps')
    expect(runs.length).toBeGreaterThan(30)
    for (const path of runs) {
      const parsed = PlanSchema.safeParse(edited(plan, path))
      if (!parsed.success) continue
      const resigned = { ...parsed.data, signature: planSignature(parsed.data, key) }
      const outcome = await services.plans.check(resigned).then(() => 'accepted', (e: Error) => e.message)
      expect(outcome, `edit of ${path.join('.')}`).toMatch(/out of date/)
    }
  })

  it('keeps its signature through a run: what a step last said (in any language), its progress and the read-back are run state', async () => {
    const plan = await makePlan()
    const key = Buffer.from(data.meta.get('plan_key')!, 'hex')
    const ran: Plan = {
      ...plan,
      state: 'interrupted',
      startedAt: 5,
      outcome: [{ host: 'kvm1', summary: 'x' }],
      readBack: { at: 6, steps: [{ stepId: plan.steps[0]!.id, verdict: 'applied', observed: 'running on kvm2', observedRef: { key: 'apply.observed.running', params: { host: 'kvm2' } } }], vms: [], problems: [] },
      steps: plan.steps.map((s) => ({ ...s, state: 'done', startedAt: 5, endedAt: 6, progress: 1, message: 'verified', messageRef: { key: 'apply.run.verified', params: { observed: 'x' } } })),
    }
    expect(planSignature(ran, key)).toBe(plan.signature)
  })

  it('refuses a signed plan whose VM moved since it was made, and one made with another data file', async () => {
    const plan = await makePlan()
    data.inventory.save({ hosts: [host('kvm2')], vms: [vm('a', UUID1, 'kvm2'), vm('b', UUID2, 'kvm2')] }, 2)
    await expect(services.plans.check(plan)).rejects.toThrow(/out of date/)
    const other = createServices({ transport: 'cli', dataFile: join(dir, 'other.db'), version: 't', demo: 'off', log: () => {} })
    await expect(other.plans.check(plan)).rejects.toThrow(/another data file/)
    await other.stop()
  })

  it('runs what the action says, never the commands, read-back or rollback written in the plan', async () => {
    const plan = await makePlan()
    const step = plan.steps.find((s) => s.action.kind === 'setVcpus')!
    // A plan that bypassed every check: its argv says something else entirely.
    const evil = { host: 'kvm2', argv: ['sh', '-c', 'touch /tmp/pwned'], purpose: 'x' }
    const forged: Plan = { ...plan, steps: [{ ...step, dependsOn: [], commands: [evil], verify: [evil], rollbackCommands: [evil] }] }
    const ran: string[][] = []
    const inventory = { t: 1, hosts: [host('kvm1'), host('kvm2')], vms: [vm('a', UUID1, 'kvm1'), vm('b', UUID2, 'kvm2')], hostSamples: [], vmSamples: [] }
    const run = runPlan(forged, {
      store: data.plans,
      ctx: commandContext(inventory, () => undefined, false),
      exec: async (_host, argv) => {
        ran.push([...argv])
        return { stdout: argv.includes('vcpucount') ? '3\n' : '', stderr: '', code: 0, signal: null, bytes: 0 }
      },
      tunnel: async () => ({ socket: '/tmp/virtpilot-migrate.test/libvirt.sock', close: async () => {} }),
      clock: Date.now,
      actor: 'test',
      onUpdate: () => {},
    })
    expect((await run.done).state).toBe('done')
    expect(ran).toEqual([
      ['virsh', '-c', 'qemu:///system', 'setvcpus', '--domain', UUID2, '--count', '3', '--live', '--config'],
      ['virsh', '-c', 'qemu:///system', 'vcpucount', '--domain', UUID2, '--live', '--active'],
    ])
  })
})
