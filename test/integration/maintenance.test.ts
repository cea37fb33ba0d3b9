import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { MaintenanceEntry, RulesList } from '../../shared/api'
import type { Plan, Snapshot } from '../../shared/model'
import type { Services } from '../../src-main/services/services'
import type { Store } from '../../src-main/store'
import { virsh } from '../lab/guest'
import { describeWithLab, groundTruth, hostNamed, runningGuests } from './lab'
import { call, dataFileOf, servicesForLab, until } from './support/services'

// Maintenance mode on real hosts: a host with two running guests enters maintenance, the
// evacuation plan VirtPilot makes is applied over SSH, both guests end up running on other hosts
// (virsh on each host's own socket says so), and the host exits maintenance.

let dir: string
let services: Services
let data: Store

describeWithLab('maintenance mode on real hosts', (lab) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-maintenance-'))
    services = await servicesForLab(lab, dir)
    data = dataFileOf(dir)
  })

  afterAll(async () => {
    // Leave the guests where the lab had them, for the other tests.
    const home = hostNamed(lab, 'h3')
    for (const other of lab.hosts.filter((h) => h.name !== 'h3'))
      for (const name of await runningGuests(other).catch(() => []))
        if (home.guests.some((g) => g.name === name)) await virsh(other.libvirt.uri, ['migrate', '--live', '--persistent', '--undefinesource', '--unsafe', name, home.libvirt.uri, '--migrateuri', `tcp://${home.ip}`])
    data?.close()
    await services?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('evacuates a host with two running guests to the other hosts through an approved plan, then the host exits maintenance', { timeout: 600_000 }, async () => {
    const h3 = hostNamed(lab, 'h3')
    const guests = h3.guests.map((g) => g.name)
    expect(guests).toHaveLength(2)
    expect((await runningGuests(h3)).sort()).toEqual([...guests].sort())

    const entered = Date.now()
    // The lab's disks are local qcow2 files visible to every host; libvirt calls that unsafe.
    const entry = await call<MaintenanceEntry>(services, 'maintenance.enter', { hostId: 'h3', allowUnsafeMigration: true })
    const planned = Date.now()
    expect(entry.staying).toEqual([])
    const plan = entry.plan!
    expect(plan.steps.map((s) => s.action.kind === 'migrate' && s.action.from)).toEqual(['h3', 'h3'])
    expect(services.cluster.snapshot().hosts.find((h) => h.id === 'h3')!.state).toBe('maintenance')

    await call(services, 'plans.apply', { id: plan.id })
    const finished = await until('the evacuation to finish', () => {
      const p = data.plans.getPlan(plan.id)!
      return p.state !== 'running' && p.state !== 'ready' ? p : undefined
    }, 480_000, 500)
    expect(finished.state, finished.steps.map((s) => s.message).join('; ')).toBe('done')

    // Ground truth: both guests run on other hosts, none is left on h3.
    expect(await runningGuests(h3)).toEqual([])
    for (const name of guests) {
      const where = []
      for (const host of lab.hosts.filter((h) => h.name !== 'h3')) if ((await runningGuests(host)).includes(name)) where.push(host.name)
      expect(where, `${name} runs on exactly one other host`).toHaveLength(1)
      expect((await groundTruth(hostNamed(lab, where[0]!), ['domstate', name])).trim()).toBe('running')
    }
    // The host keeps taking no placements after the plan: it is still in maintenance.
    const list = await call<RulesList>(services, 'rules.list', {})
    expect(list.maintenance).toMatchObject([{ hostId: 'h3', planId: plan.id }])
    const audit = data.plans.listAudit({ planId: plan.id })
    expect(audit.some((e) => e.kind === 'verify')).toBe(true)

    expect(await call(services, 'maintenance.exit', { hostId: 'h3' })).toEqual({ exited: true })
    expect((await call<Snapshot>(services, 'cluster.snapshot', {})).hosts.find((h) => h.id === 'h3')!.state).not.toBe('maintenance')

    // The lab timeline, for the record: planning, then each live migration.
    const timeline = (p: Plan) => p.steps.map((s) => `${s.title}: ${(((s.endedAt ?? 0) - (s.startedAt ?? 0)) / 1000).toFixed(1)} s`)
    console.log(`maintenance timeline: entered and planned in ${((planned - entered) / 1000).toFixed(1)} s; ${timeline(finished).join('; ')}; evacuated ${(((finished.steps.at(-1)?.endedAt ?? 0) - entered) / 1000).toFixed(1)} s after entering`)
  })
})
