import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { AuditEntry, Plan, ReversibleAction, Snapshot } from '../../shared/model'
import type { Store } from '../../src-main/store'
import { virsh } from '../lab/guest'
import { describeWithLab, groundTruth, hostNamed, type LabDescription, type LabHost } from './lab'
import { ensureRendererBuilt, freezeLinkTo, killHard, runCli, startCli, startServe, type AppProcess, type ServeProcess } from './support/app-process'
import { recommendation } from './support/recommendations'
import { dataFileOf, servicesForLab, until } from './support/services'

// VirtPilot killed with SIGKILL (a crash, the OOM killer, a power cut of the app) in the middle of
// applying a plan on real hosts: during a live migration, and between two steps. On restart the
// plan shows as interrupted with each step's last known state, the hosts are read back, and the
// admin resumes or rolls back; the audit holds every command that was sent.

let dir: string
let dataFile: string
let env: Record<string, string>

/** Migration bandwidth libvirt allows for a guest, in MiB/s (its maximum lifts the limit). */
const UNLIMITED = '8796093022207'

/** Moments of one scenario, in ms since it began, for the log (and the issue's note). */
class Timeline {
  private readonly start = Date.now()
  readonly marks: { at: number; what: string }[] = []
  mark(what: string): void {
    this.marks.push({ at: Date.now() - this.start, what })
  }
  print(title: string): void {
    console.info(`${title}\n${this.marks.map((m) => `  ${(m.at / 1000).toFixed(2).padStart(7)} s  ${m.what}`).join('\n')}`)
  }
}

function withData<T>(body: (data: Store) => T): T {
  const data = dataFileOf(dir)
  try {
    return body(data)
  } finally {
    data.close()
  }
}

const storedPlan = (id: string) => withData((d) => d.plans.getPlan(id))
const auditOf = (id: string): AuditEntry[] => withData((d) => d.plans.listAudit({ planId: id }).reverse())

async function uuidOf(host: LabHost, name: string): Promise<string> {
  return (await groundTruth(host, ['domuuid', name])).trim()
}

async function migrationActive(host: LabHost, name: string): Promise<boolean> {
  const info = await groundTruth(host, ['domjobinfo', name]).catch(() => '')
  return /Job type:\s+Unbounded/.test(info) && /(Memory|Data) processed:\s+[1-9]/.test(info)
}

async function whereIs(lab: LabDescription, name: string): Promise<{ host: string; state: string }[]> {
  const seen = []
  for (const host of lab.hosts) {
    const state = (await groundTruth(host, ['domstate', name]).catch(() => '')).trim()
    if (state) seen.push({ host: host.name, state })
  }
  return seen
}

async function vcpus(host: LabHost, name: string): Promise<number> {
  return Number((await groundTruth(host, ['vcpucount', name, '--live', '--active'])).trim())
}

/** Puts a guest back on its lab host, running, unthrottled: what the other tests expect. */
async function restore(lab: LabDescription, name: string, home: LabHost): Promise<void> {
  for (const seen of await whereIs(lab, name)) {
    const host = hostNamed(lab, seen.host)
    await virsh(host.libvirt.uri, ['migrate-setspeed', name, UNLIMITED]).catch(() => undefined)
    if (seen.host !== home.name && seen.state === 'running') {
      await virsh(host.libvirt.uri, ['migrate', '--live', '--persistent', '--undefinesource', '--unsafe', name, home.libvirt.uri, '--migrateuri', `tcp://${home.ip}`])
    }
  }
  expect(await whereIs(lab, name)).toEqual([{ host: home.name, state: 'running' }])
}

/** Writes recommendations to the data file (as the engine would) and makes a signed plan of them with the CLI. */
async function planFile(name: string, recs: ReturnType<typeof recommendation>[]): Promise<{ file: string; plan: Plan }> {
  // The data file learns where the guests are now (the previous test moved one and put it back by hand).
  const collected = await runCli(['collect', '--data', dataFile, '--json'], env)
  expect(collected.code, collected.stderr).toBe(0)
  const recFile = join(dir, `${name}-recs.json`)
  writeFileSync(recFile, JSON.stringify({ recommendations: recs }))
  const file = join(dir, `${name}-plan.json`)
  const made = await runCli(['plan', '--from', recFile, ...recs.flatMap((r) => ['--approve', r.id]), '--allow-unsafe-migration', '--out', file, '--data', dataFile, '--json'], env)
  expect(made.code, made.stderr).toBe(0)
  return { file, plan: JSON.parse(made.stdout) as Plan }
}

/** Approves recommendations in the running app's inbox and makes a plan of them, as the UI does. */
async function planInApp(serve: ServeProcess, hosts: readonly LabHost[], recs: ReturnType<typeof recommendation>[]): Promise<Plan> {
  await until('serve to have read every host', async () => {
    const snapshot = await serve.call<Snapshot>('cluster.snapshot', {})
    return hosts.every((h) => snapshot.vmSamples.some((x) => x.hostId === h.name)) ? true : undefined
  }, 120_000)
  withData((d) => d.recommendations.replaceOpen(recs, Date.now()))
  for (const r of recs) await serve.call('recommendations.decide', { id: r.id, decision: 'approve' })
  return serve.call<Plan>('plans.create', { recommendationIds: recs.map((r) => r.id), allowUnsafeMigration: true })
}

const migrate = (vm: string, from: string, to: string): ReversibleAction => ({ action: { kind: 'migrate', vm, from, to, live: true }, rollback: { kind: 'migrate', vm, from: to, to: from, live: true } })

/** The audit shows each command before it was sent; one killed mid-flight has no result after it. */
function expectSentBeforeResult(audit: AuditEntry[], stepId: string, verb: string): { sent: AuditEntry; result: AuditEntry | undefined } {
  const sent = audit.find((e) => e.stepId === stepId && e.kind === 'command' && e.message.startsWith('sending: ') && e.argv?.includes(verb))
  expect(sent, `a "sending" entry for ${stepId} (${verb}) in ${JSON.stringify(audit.map((e) => e.message))}`).toBeDefined()
  const result = audit.find((e) => e.stepId === stepId && e.kind === 'command' && e.id > sent!.id && e.exitCode !== undefined)
  return { sent: sent!, result }
}

/** Whether the app process wrote (in the data file) that a step started sending its command. */
function sending(planId: string, stepId: string): true | undefined {
  return auditOf(planId).some((e) => e.stepId === stepId && e.message.startsWith('sending: ')) ? true : undefined
}

describeWithLab('a plan cut short by SIGKILL on real hosts', (lab) => {
  const [h1, h2] = [hostNamed(lab, 'h1'), hostNamed(lab, 'h2')]
  const mover = h1.guests[1]!.name
  const grower = h2.guests[0]!.name

  let tunnelDirsBefore = new Set<string>()

  beforeAll(async () => {
    tunnelDirsBefore = new Set(readdirSync('/tmp').filter((n) => n.startsWith('virtpilot-migrate.')))
    ensureRendererBuilt()
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-kill-'))
    dataFile = join(dir, 'virtpilot.db')
    const services = await servicesForLab(lab, dir)
    await services.stop()
    env = { VIRTPILOT_SSH_DIR: join(dir, '.ssh') }
  }, 300_000)

  afterAll(async () => {
    // A VirtPilot killed mid-migration cannot remove its tunnel's empty private directory on the source.
    for (const name of readdirSync('/tmp')) if (name.startsWith('virtpilot-migrate.') && !tunnelDirsBefore.has(name)) rmSync(join('/tmp', name), { recursive: true, force: true })
    await restore(lab, mover, h1)
    await groundTruth(h2, ['setvcpus', grower, '1', '--live']).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  })

  it('CLI apply killed during a live migration: interrupted, read back (VM still on its source), resumed to the end', async () => {
    const timeline = new Timeline()
    const vm = await uuidOf(h1, mover)
    const { file, plan } = await planFile('cli-migration', [recommendation('kill-cli-move', `Move ${mover} to h2`, [migrate(vm, 'h1', 'h2')])])
    // Slow enough that the migration is surely still running when the app is killed.
    await groundTruth(h1, ['migrate-setspeed', mover, '8'])
    const app = startCli(['apply', file, '--data', dataFile, '--json'], env)
    timeline.mark('virtpilot apply started')
    await until('step-1 running', () => (storedPlan(plan.id)?.steps[0]?.state === 'running' ? true : undefined), 120_000)
    timeline.mark('step-1 (live migration) running in the data file')
    await until('the migration moving memory on h1', async () => ((await migrationActive(h1, mover)) ? true : undefined), 60_000)
    timeline.mark('migration job active on h1 (virsh domjobinfo)')
    await killHard(app)
    timeline.mark('SIGKILL: virtpilot apply is gone')

    await groundTruth(h1, ['migrate-setspeed', mover, UNLIMITED]).catch(() => undefined)
    await until('the migration job to end on h1', async () => ((await migrationActive(h1, mover)) ? undefined : true), 120_000)
    const where = await whereIs(lab, mover)
    timeline.mark(`hosts after the kill: ${where.map((w) => `${w.host} ${w.state}`).join(', ')}`)

    const { result } = expectSentBeforeResult(auditOf(plan.id), 'step-1', 'migrate')
    expect(result, 'no result of the killed migration in the audit').toBeUndefined()

    const listed = await runCli(['recover', '--data', dataFile, '--json'], env)
    expect(listed.code, listed.stderr).toBe(0)
    const read = (JSON.parse(listed.stdout) as Plan[]).find((p) => p.id === plan.id)!
    timeline.mark(`virtpilot recover read the hosts back: step-1 ${read.readBack?.steps[0]?.verdict}`)
    expect(read.state).toBe('interrupted')
    expect(read.steps[0]!.state).toBe('interrupted')
    expect(read.steps[0]!.message).toMatch(/^was running.* when VirtPilot stopped/)
    // What VirtPilot read is what libvirt says: the guest is where the hosts have it, with its vCPUs and memory.
    const info = await groundTruth(h1, ['dominfo', mover])
    expect(read.readBack!.vms).toEqual([
      { vmId: vm, seen: where.map((w) => ({ host: w.host, state: w.state, vcpus: Number(/CPU\(s\):\s+(\d+)/.exec(info)![1]), memoryMiB: Number(/Used memory:\s+(\d+)/.exec(info)![1]) / 1024, maxMemoryMiB: Number(/Max memory:\s+(\d+)/.exec(info)![1]) / 1024 })) },
    ])
    expect(read.readBack!.steps).toEqual([{ stepId: 'step-1', verdict: where[0]!.host === 'h1' ? 'not-applied' : 'applied', observed: expect.any(String), observedRef: expect.objectContaining({ key: expect.stringMatching(/^apply\.observed\./) }) }])

    // The killed run's tunnel directory is still on the source (the lab's hosts share /tmp); made two
    // minutes old, the resumed migration from that host removes it.
    const leftovers = readdirSync('/tmp').filter((n) => n.startsWith('virtpilot-migrate.') && !tunnelDirsBefore.has(n))
    expect(leftovers.length, 'the killed migration left its tunnel directory').toBeGreaterThan(0)
    const twoMinutesAgo = new Date(Date.now() - 120_000)
    for (const name of leftovers) utimesSync(join('/tmp', name), twoMinutesAgo, twoMinutesAgo)

    const resumed = await runCli(['recover', plan.id, '--resume', '--data', dataFile, '--json'], env)
    timeline.mark(`virtpilot recover --resume exited ${resumed.code}`)
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(readdirSync('/tmp').filter((n) => leftovers.includes(n))).toEqual([])
    expect((JSON.parse(resumed.stdout) as Plan).state).toBe('done')
    expect(await whereIs(lab, mover)).toEqual([{ host: 'h2', state: 'running' }])
    const audit = auditOf(plan.id)
    expect(audit.filter((e) => e.kind === 'command' && e.message.startsWith('sending: ') && e.argv?.includes('migrate'))).toHaveLength(2)
    expect(audit.some((e) => e.kind === 'state' && /marked interrupted/.test(e.message))).toBe(true)
    timeline.print(`CLI apply killed during a live migration (${plan.id})`)
    await restore(lab, mover, h1)
  }, 600_000)

  it('CLI apply killed between two steps: the first took effect, the second never reached its host; rolled back', async () => {
    const timeline = new Timeline()
    const [vm1, vm2] = [await uuidOf(h1, mover), await uuidOf(h2, grower)]
    const { file, plan } = await planFile('cli-between', [
      recommendation('kill-cli-move2', `Move ${mover} to h3`, [migrate(vm1, 'h1', 'h3')]),
      recommendation('kill-cli-grow', `Give ${grower} a second vCPU`, [{ action: { kind: 'setVcpus', vm: vm2, host: 'h2', count: 2, live: true }, rollback: { kind: 'setVcpus', vm: vm2, host: 'h2', count: 1, live: true } }]),
    ])
    expect(plan.steps.map((s) => s.action.kind)).toEqual(['migrate', 'setVcpus'])
    await groundTruth(h1, ['migrate-setspeed', mover, '32'])
    const app = startCli(['apply', file, '--data', dataFile, '--json'], env)
    timeline.mark('virtpilot apply started')
    await until('step-1 running', () => (storedPlan(plan.id)?.steps[0]?.state === 'running' ? true : undefined), 120_000)
    // h2 was read before the plan started; from now on nothing the app sends reaches h2.
    const unfreeze = freezeLinkTo(app.child.pid!, h2.ip)
    timeline.mark('step-1 running; the app\'s SSH link to h2 frozen')
    try {
      await until('step-2 sending its command', () => sending(plan.id, 'step-2'), 180_000)
      timeline.mark('step-2 command handed to SSH (audit "sending" written)')
      await killHard(app)
      timeline.mark('SIGKILL: virtpilot apply is gone')
    } finally {
      unfreeze()
    }
    expect(await whereIs(lab, mover)).toEqual([{ host: 'h3', state: 'running' }])
    expect(await vcpus(h2, grower)).toBe(1)
    const audit = auditOf(plan.id)
    expect(expectSentBeforeResult(audit, 'step-1', 'migrate').result?.exitCode).toBe(0)
    expect(expectSentBeforeResult(audit, 'step-2', 'setvcpus').result).toBeUndefined()

    const listed = await runCli(['recover', plan.id, '--data', dataFile, '--json'], env)
    expect(listed.code, listed.stderr).toBe(0)
    const [read] = JSON.parse(listed.stdout) as Plan[]
    timeline.mark(`read back: ${read!.readBack!.steps.map((s) => `${s.stepId} ${s.verdict}`).join(', ')}`)
    expect(read!.steps.map((s) => s.state)).toEqual(['done', 'interrupted'])
    expect(read!.readBack!.steps.map((s) => s.verdict)).toEqual(['applied', 'not-applied'])
    expect(read!.readBack!.vms.find((v) => v.vmId === vm2)!.seen).toEqual([{ host: 'h2', state: 'running', vcpus: 1, memoryMiB: expect.any(Number), maxMemoryMiB: 128 }])

    const rolledBack = await runCli(['recover', plan.id, '--roll-back', '--data', dataFile, '--json'], env)
    timeline.mark(`virtpilot recover --roll-back exited ${rolledBack.code}`)
    expect(rolledBack.code, rolledBack.stderr).toBe(0)
    const done = JSON.parse(rolledBack.stdout) as Plan
    expect(done.state).toBe('rolled-back')
    expect(done.steps.map((s) => s.state)).toEqual(['rolled-back', 'cancelled'])
    expect(await whereIs(lab, mover)).toEqual([{ host: 'h1', state: 'running' }])
    expect(await vcpus(h2, grower)).toBe(1)
    timeline.print(`CLI apply killed between two steps (${plan.id})`)
    await restore(lab, mover, h1)
  }, 600_000)

  it('serve killed during a live migration: restarted, it reads the hosts back by itself; resumed from the plan page', async () => {
    const timeline = new Timeline()
    const vm = await uuidOf(h1, mover)
    let serve = await startServe(dataFile, env)
    timeline.mark('virtpilot serve started')
    const plan = await planInApp(serve, lab.hosts, [recommendation('kill-serve-move', `Move ${mover} to h2`, [migrate(vm, 'h1', 'h2')])])
    await groundTruth(h1, ['migrate-setspeed', mover, '8'])
    await serve.call('plans.apply', { id: plan.id })
    timeline.mark('plans.apply called')
    await until('the migration moving memory on h1', async () => ((await migrationActive(h1, mover)) ? true : undefined), 120_000)
    timeline.mark('migration job active on h1')
    await killHard(serve)
    timeline.mark('SIGKILL: virtpilot serve is gone')
    await groundTruth(h1, ['migrate-setspeed', mover, UNLIMITED]).catch(() => undefined)
    await until('the migration job to end on h1', async () => ((await migrationActive(h1, mover)) ? undefined : true), 120_000)
    const where = await whereIs(lab, mover)
    timeline.mark(`hosts after the kill: ${where.map((w) => `${w.host} ${w.state}`).join(', ')}`)
    expect(expectSentBeforeResult(auditOf(plan.id), 'step-1', 'migrate').result).toBeUndefined()

    serve = await startServe(dataFile, env)
    timeline.mark('virtpilot serve started again')
    try {
      const read = await until('the interrupted plan read back', async () => {
        const p = await serve.call<Plan>('plans.get', { id: plan.id })
        return p.readBack ? p : undefined
      }, 120_000)
      timeline.mark(`read back by itself: step-1 ${read.readBack!.steps[0]!.verdict}`)
      expect(read.state).toBe('interrupted')
      expect(read.steps[0]!.state).toBe('interrupted')
      expect(read.readBack!.vms[0]!.seen.map((s) => ({ host: s.host, state: s.state }))).toEqual(where)

      await clickOnPlanPage(serve, plan.id, 'plan-resume')
      timeline.mark('Resume clicked on the plan page')
      const done = await until('the resumed plan to finish', async () => {
        const p = await serve.call<Plan>('plans.get', { id: plan.id })
        return p.state !== 'running' && p.state !== 'interrupted' ? p : undefined
      }, 300_000)
      timeline.mark(`plan ${done.state}`)
      expect(done.state, JSON.stringify(done.steps)).toBe('done')
      expect(await whereIs(lab, mover)).toEqual([{ host: 'h2', state: 'running' }])
    } finally {
      await stop(serve)
    }
    timeline.print(`serve killed during a live migration (${plan.id})`)
    await restore(lab, mover, h1)
  }, 600_000)

  it('serve killed between two steps: restarted, read back, rolled back from the plan page', async () => {
    const timeline = new Timeline()
    const [vm1, vm2] = [await uuidOf(h1, mover), await uuidOf(h2, grower)]
    let serve = await startServe(dataFile, env)
    timeline.mark('virtpilot serve started')
    const plan = await planInApp(serve, lab.hosts, [
      recommendation('kill-serve-move2', `Move ${mover} to h3`, [migrate(vm1, 'h1', 'h3')]),
      recommendation('kill-serve-grow', `Give ${grower} a second vCPU`, [{ action: { kind: 'setVcpus', vm: vm2, host: 'h2', count: 2, live: true }, rollback: { kind: 'setVcpus', vm: vm2, host: 'h2', count: 1, live: true } }]),
    ])
    await groundTruth(h1, ['migrate-setspeed', mover, '32'])
    await serve.call('plans.apply', { id: plan.id })
    await until('step-1 running', () => (storedPlan(plan.id)?.steps[0]?.state === 'running' ? true : undefined), 120_000)
    const unfreeze = freezeLinkTo(serve.child.pid!, h2.ip)
    timeline.mark('step-1 running; the app\'s SSH link to h2 frozen')
    try {
      await until('step-2 sending its command', () => sending(plan.id, 'step-2'), 180_000)
      timeline.mark('step-2 command handed to SSH (audit "sending" written)')
      await killHard(serve)
      timeline.mark('SIGKILL: virtpilot serve is gone')
    } finally {
      unfreeze()
    }
    expect(await whereIs(lab, mover)).toEqual([{ host: 'h3', state: 'running' }])
    expect(await vcpus(h2, grower)).toBe(1)

    serve = await startServe(dataFile, env)
    timeline.mark('virtpilot serve started again')
    try {
      const read = await until('the interrupted plan read back', async () => {
        const p = await serve.call<Plan>('plans.get', { id: plan.id })
        return p.readBack ? p : undefined
      }, 120_000)
      timeline.mark(`read back by itself: ${read.readBack!.steps.map((s) => `${s.stepId} ${s.verdict}`).join(', ')}`)
      expect(read.steps.map((s) => s.state)).toEqual(['done', 'interrupted'])
      expect(read.readBack!.steps.map((s) => s.verdict)).toEqual(['applied', 'not-applied'])

      await clickOnPlanPage(serve, plan.id, 'plan-roll-back')
      timeline.mark('Roll back clicked on the plan page')
      const done = await until('the roll back to finish', async () => {
        const p = await serve.call<Plan>('plans.get', { id: plan.id })
        return p.state !== 'running' && p.state !== 'interrupted' ? p : undefined
      }, 300_000)
      timeline.mark(`plan ${done.state}`)
      expect(done.state).toBe('rolled-back')
      expect(done.steps.map((s) => s.state)).toEqual(['rolled-back', 'cancelled'])
      expect(await whereIs(lab, mover)).toEqual([{ host: 'h1', state: 'running' }])
      expect(await vcpus(h2, grower)).toBe(1)
      expect(auditOf(plan.id).filter((e) => e.kind === 'rollback' && e.exitCode === 0).length).toBeGreaterThan(0)
    } finally {
      await stop(serve)
    }
    timeline.print(`serve killed between two steps (${plan.id})`)
    await restore(lab, mover, h1)
  }, 600_000)
})

/** Opens the plan's page in Chromium, as the admin does, and clicks one of its buttons. */
async function clickOnPlanPage(serve: ServeProcess, planId: string, testId: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
  try {
    const page = await browser.newPage()
    await page.goto(serve.url)
    await page.goto(`${serve.origin}/#/plans/${planId}`)
    await page.getByTestId('plan-interrupted').waitFor({ timeout: 60_000 })
    await page.getByTestId(testId).click()
    await page.getByTestId('plan-recover-confirm').click()
    await page.getByTestId('plan-interrupted').waitFor({ state: 'detached', timeout: 60_000 })
  } finally {
    await browser.close()
  }
}

async function stop(app: AppProcess): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return
  app.child.kill('SIGTERM')
  await app.exited
}
