import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { AutomationStatus, RecommendationList } from '../../shared/api'
import type { Plan } from '../../shared/model'
import type { Services } from '../../src-main/services/services'
import type { Store } from '../../src-main/store'
import { virsh } from '../lab/guest'
import { describeWithLab, groundTruth, hostNamed, runningGuests } from './lab'
import { call, dataFileOf, servicesForLab, until } from './support/services'

// Fully automated, on real hosts: two guests of h3 should run elsewhere (should-run rules; the
// lab's host-cached disks make their fixes riskier, P4, so the migration threshold is 5). With the
// window closed nothing moves; with the window open VirtPilot approves, plans and applies one move
// on its own (the cap is one move per hour), virsh on the destination shows the guest running
// there, the audit names the actor "automation: fully-automated/threshold-5", and nothing more
// moves within the hour.

let dir: string
let services: Services
let data: Store

describeWithLab('fully automated on real hosts', (lab) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-automation-'))
    // As the desktop app and serve do: automation acts after each analysis.
    services = await servicesForLab(lab, dir, 1000, { automation: true })
    data = dataFileOf(dir)
  })

  afterAll(async () => {
    // Leave the guests where the lab had them, for the other tests.
    for (const host of lab.hosts)
      for (const name of await runningGuests(host).catch(() => [])) {
        const home = lab.hosts.find((h) => h.guests.some((g) => g.name === name))
        if (home && home.name !== host.name) await virsh(host.libvirt.uri, ['migrate', '--live', '--persistent', '--undefinesource', '--unsafe', name, home.libvirt.uri, '--migrateuri', `tcp://${home.ip}`])
      }
    data?.close()
    await services?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('moves a guest on its own inside an open window, audited as automation, and keeps to the hourly cap', { timeout: 600_000 }, async () => {
    const h3 = hostNamed(lab, 'h3')
    const [first, second] = h3.guests.map((g) => g.name)
    expect((await runningGuests(h3)).sort()).toEqual([first, second].sort())
    const vmId = (name: string) => services.cluster.snapshot().vms.find((v) => v.name === name)!.id
    await call(services, 'rules.add', { kind: 'host-should', vms: [vmId(first!)], hosts: ['h1'], name: 'first on h1' })
    await call(services, 'rules.add', { kind: 'host-should', vms: [vmId(second!)], hosts: ['h2'], name: 'second on h2' })

    // Fully automated, but the only window is one that is not open now: nothing moves.
    const now = new Date()
    const closedDay = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[(now.getUTCDay() + 3) % 7]!
    // The lab's disks are local qcow2 files every host sees; libvirt calls their migration unsafe.
    await call(services, 'settings.update', { migrationThreshold: 5 })
    await call(services, 'automation.update', { level: 'fully-automated', windows: [{ days: [closedDay], start: '00:00', end: '24:00' }], timeZone: 'UTC', maxMovesPerHour: 1, allowUnsafeMigration: true })
    const placement = async () => Object.fromEntries((await Promise.all(lab.hosts.map(async (h) => (await runningGuests(h)).map((g) => [g, h.name] as const)))).flat())
    const before = await placement()
    // Names by VM id, read now: right after the move the snapshot may not list the guest on either host yet.
    const nameOf = new Map(services.cluster.snapshot().vms.map((v) => [v.id, v.name]))
    await call<RecommendationList>(services, 'recommendations.refresh', {})
    let status = await call<AutomationStatus>(services, 'automation.get', {})
    expect(status.windowOpen).toBe(false)
    expect(status.lastRound!.approved).toEqual([])
    // Both fixes wait for the window (a balancing set, if the engine makes one, too).
    const open = (await call<RecommendationList>(services, 'recommendations.list', {})).items.filter((i) => i.status === 'open').map((i) => `P${i.recommendation.priority} ${i.recommendation.kind} ${i.recommendation.title}`)
    expect(status.lastRound!.skipped.filter((s) => s.reasonRef?.key === 'automation.skip.window').length, JSON.stringify({ round: status.lastRound, open })).toBeGreaterThanOrEqual(2)
    expect(await placement()).toEqual(before)

    // The window opens (every day, all day): the next analysis moves one guest, the cap keeps the other.
    await call(services, 'automation.update', { windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' }] })
    await call<RecommendationList>(services, 'recommendations.refresh', {})
    status = await call<AutomationStatus>(services, 'automation.get', {})
    expect(status.windowOpen).toBe(true)
    expect(status.lastRound!.approved).toHaveLength(1)
    expect(status.lastRound!.approved[0]!.actor).toBe('automation: fully-automated/threshold-5')
    expect(status.lastRound!.skipped.map((s) => s.reasonRef?.key)).toContain('automation.skip.cap')
    const planId = status.lastRound!.planId!
    const plan = await until('the automatic plan to finish', () => {
      const p = data.plans.getPlan(planId)!
      return p.state !== 'running' && p.state !== 'ready' ? p : undefined
    }, 480_000, 500)
    expect(plan.state, plan.steps.map((s) => s.message).join('; ')).toBe('done')
    expect(plan.approvedBy).toBe('automation: fully-automated/threshold-5')
    const step = plan.steps[0]!.action as Extract<Plan['steps'][number]['action'], { kind: 'migrate' }>
    const moved = nameOf.get(step.vm)!
    expect(moved, `the moved VM ${step.vm} was in the snapshot before the window opened`).toBeDefined()
    const to = hostNamed(lab, step.to)

    // Ground truth: the guest runs on its new host, every other guest where it was.
    expect(plan.steps).toHaveLength(1)
    expect((await groundTruth(to, ['domstate', moved])).trim()).toBe('running')
    expect(await placement()).toEqual({ ...before, [moved]: step.to })
    // The audit: the approval, the plan and every command under automation's actor.
    const entries = data.plans.listAudit({ planId })
    expect(entries.some((e) => e.kind === 'command' && e.argv?.includes('migrate'))).toBe(true)
    expect(entries.filter((e) => e.actor !== 'automation: fully-automated/threshold-5').map((e) => `${e.actor} ${e.kind} ${e.message}`)).toEqual([])
    expect(data.plans.listAudit({}).find((e) => e.kind === 'decision' && e.recommendationId === plan.recommendationIds[0])!.actor).toBe('automation: fully-automated/threshold-5')

    // The cap: another analysis within the hour moves nothing more.
    await until('VirtPilot to see the move', () => (services.cluster.snapshot().vms.find((v) => v.id === step.vm)?.hostId === step.to ? true : undefined), 120_000)
    await call<RecommendationList>(services, 'recommendations.refresh', {})
    status = await call<AutomationStatus>(services, 'automation.get', {})
    expect(status.movesLastHour).toBe(1)
    expect(status.lastRound!.approved).toEqual([])
    expect(status.lastRound!.skipped.map((s) => s.reasonRef?.key)).toContain('automation.skip.cap')
    expect(await placement()).toEqual({ ...before, [moved]: step.to })
    console.log(`automation: ${moved} moved ${step.from} -> ${step.to} in ${(((plan.steps[0]!.endedAt ?? 0) - (plan.steps[0]!.startedAt ?? 0)) / 1000).toFixed(1)} s`)
  })
})
