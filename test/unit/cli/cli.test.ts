import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { HistoryFileSchema, SnapshotSchema } from '../../../shared/model'
import { openStore } from '../../../src-main/store'
import { cliArgv } from '../../support/built-cli'
import { runCli } from '../../support/cli-in-process'

const made: string[] = []
/** A folder of the test's own, removed when the file's tests are done. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'virtpilot-cli-'))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** A moment of the demo's replayed traces at which demo-c runs hot. */
const DEMO_MOMENT = '2026-01-01T00:00:00Z'

/** Only against a hang: a run takes about a second of CPU. */
const HANG_MS = 300_000

// The real command, as `npm run build` makes it (built once per test run: test/support/built-cli.ts):
// for what only a process shows, its exit status and its two streams.
function spawned(...args: string[]) {
  return spawnSync(process.execPath, cliArgv(args), { encoding: 'utf8', timeout: HANG_MS })
}

// The same command in this process (test/support/cli-in-process.ts): its output and exit code.
function cli(...args: string[]) {
  return runCli(args)
}

/** The CLI with its own data folder and ~/.ssh, as a fresh admin account would have them. */
function cliIn(dir: string, ...args: string[]) {
  return runCli(args, { VIRTPILOT_DATA: join(dir, 'default.db'), VIRTPILOT_SSH_DIR: join(dir, '.ssh') })
}

describe('virtpilot CLI', { timeout: 120_000 }, () => {
  it('prints one demo snapshot as JSON', () => {
    const run = spawned('demo', '--json')
    expect(run.status).toBe(0)
    const snapshot = SnapshotSchema.parse(JSON.parse(run.stdout))
    expect(snapshot.hosts).toHaveLength(3)
    expect(snapshot.vms).toHaveLength(24)
    expect(snapshot.vmSamples).toHaveLength(24)
  })

  it('explains itself with --help', () => {
    const run = spawned('--help')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/virtpilot serve/)
    expect(run.stdout).toMatch(/virtpilot demo --json/)
  })

  it('exits 2 with a clear message on bad usage', () => {
    const unknown = spawned('frobnicate')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/)
    const badFlag = spawned('serve', '--port', 'abc')
    expect(badFlag.status).toBe(2)
    expect(badFlag.stderr).toMatch(/--port/)
    expect(spawned('demo').status).toBe(2)
  })

  it('recommends moving load from a hotter demo host to a cooler one, from a saved snapshot', async () => {
    const dir = tempDir()
    const file = join(dir, 'snapshot.json')
    // The demo replays real traces: the moment is pinned, so the snapshot (and the advice) is the same every run.
    const demo = (await cli('demo', '--json', '--at', DEMO_MOMENT)).stdout
    writeFileSync(file, demo)
    const snapshot = SnapshotSchema.parse(JSON.parse(demo))
    const run = await cli('recommend', '--snapshot', file, '--strategy', 'hybrid', '--json')
    expect(run.status, run.stderr).toBe(0)
    const output = JSON.parse(run.stdout) as {
      strategy: string
      recommendations: { kind: string; actions: { action: { kind: string; from?: string; to?: string } }[] }[]
      hostLoads: { hostId: string; cpu: { demandLoad: number }; mem: { demandLoad: number } }[]
    }
    expect(output.strategy).toBe('hybrid')
    const moves = output.recommendations.filter((r) => r.kind === 'migrate').flatMap((r) => r.actions.map((a) => a.action))
    expect(moves.length).toBeGreaterThan(0)
    // The first move goes downhill in CPU (memory weighs only where a host may overcommit it, and the demo's allow 1:1).
    const load = (host: string) => output.hostLoads.find((x) => x.hostId === host)!.cpu.demandLoad
    expect(load(moves[0]!.from!)).toBeGreaterThan(load(moves[0]!.to!))
    expect(snapshot.hosts.map((h) => h.id)).toContain(moves[0]!.from)
  })

  it('prints the same demo snapshot for the same --at, and refuses a bad one', async () => {
    const [a, b] = [await cli('demo', '--json', '--at', DEMO_MOMENT), await cli('demo', '--json', '--at', String(Date.parse(DEMO_MOMENT)))]
    expect(a.status, a.stderr).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    expect(SnapshotSchema.parse(JSON.parse(a.stdout)).t).toBe(Date.parse(DEMO_MOMENT))
    const bad = await cli('demo', '--json', '--at', 'yesterday')
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/--at must be an ISO 8601 time or epoch milliseconds, got yesterday/)
  })

  it('--cpu-ratio holds for every host of the run, over the allocation ratios the snapshot carries', async () => {
    const dir = tempDir()
    const file = join(dir, 'snapshot.json')
    const snapshot = SnapshotSchema.parse(JSON.parse((await cli('demo', '--json')).stdout))
    snapshot.hosts = snapshot.hosts.map((h) => ({ ...h, allocationRatio: { cpu: 8, memory: 1 } }))
    writeFileSync(file, JSON.stringify(snapshot))
    const perThread = (id: string) => snapshot.vms.filter((v) => v.hostId === id && v.state === 'running').reduce((a, v) => a + v.allocation.vcpus, 0) / snapshot.hosts.find((h) => h.id === id)!.cpu.threads
    const fullest = [...snapshot.hosts].sort((a, b) => perThread(b.id) - perThread(a.id))[0]!
    // Just under what the fullest host carries: one of its VMs has to leave.
    const ratio = +(perThread(fullest.id) - 0.01).toFixed(2)
    type Out = { recommendations: { kind: string; actions: { action: { kind: string; from?: string } }[] }[]; snapshot: { hosts: { id: string; allocationRatio: { cpu: number; memory: number } }[] } }
    const run = await cli('recommend', '--snapshot', file, '--cpu-ratio', String(ratio), '--max-moves', '0', '--json')
    expect(run.status, run.stderr).toBe(0)
    const out = JSON.parse(run.stdout) as Out
    expect(out.snapshot.hosts.map((h) => h.allocationRatio)).toEqual(snapshot.hosts.map(() => ({ cpu: ratio, memory: 1 })))
    expect(out.recommendations.some((r) => r.actions.some((a) => a.action.kind === 'migrate' && a.action.from === fullest.id))).toBe(true)
    // Without the flag the snapshot's own ratios (8:1) hold: nothing has to move.
    const own = JSON.parse((await cli('recommend', '--snapshot', file, '--max-moves', '0', '--json')).stdout) as Out
    expect(own.snapshot.hosts.every((h) => h.allocationRatio.cpu === 8)).toBe(true)
    expect(own.recommendations.filter((r) => r.actions.some((a) => a.action.kind === 'migrate'))).toEqual([])
  })

  it('names the bad field of a snapshot file and exits 1', async () => {
    const dir = tempDir()
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ t: 1, hosts: [{ id: 'h' }], vms: [], hostSamples: [], vmSamples: [] }))
    const run = await cli('recommend', '--snapshot', file, '--json')
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/hosts\.0\.name/)
    expect((await cli('recommend', '--snapshot', join(dir, 'missing.json'), '--json')).stderr).toMatch(/Cannot read/)
  })

  it('explains every command with COMMAND --help', async () => {
    for (const command of ['serve', 'demo', 'hosts', 'collect', 'recommend', 'export-history', 'request', 'plan', 'apply', 'recover', 'rules', 'maintenance', 'automation', 'whatif']) {
      const run = await cli(command, '--help')
      expect(run.status, `${command} --help: ${run.stderr}`).toBe(0)
      expect(run.stdout).toContain(`virtpilot ${command}`)
    }
  })

  it('refuses to recommend without hosts, and the demo never writes into the data file', async () => {
    const dir = tempDir()
    const file = join(dir, 'lab.db')
    const none = await cliIn(dir, 'recommend', '--data', file, '--json')
    expect(none.status).toBe(1)
    expect(none.stderr).toMatch(/lab\.db has no hosts\. Add one with `virtpilot hosts add TARGET --data .*lab\.db`/)
    const demo = await cliIn(dir, 'recommend', '--demo', '--max-moves', '0', '--json')
    expect(demo.status, demo.stderr).toBe(0)
    const output = JSON.parse(demo.stdout) as { recommendations: { kind: string }[]; snapshot: { hosts: unknown[] } }
    expect(output.snapshot.hosts).toHaveLength(3)
    expect(output.recommendations.length).toBeGreaterThan(0)
    expect(output.recommendations.filter((r) => r.kind === 'migrate')).toEqual([])
    const store = openStore(file)
    expect(store.samples.count()).toEqual({ hostSamples: 0, vmSamples: 0 })
    store.close()
    expect(existsSync(join(dir, 'default.db'))).toBe(false)
  })

  it('files an admin\'s request on the demo as a recommendation requested by the user, refuses one past the ratios, and usage errors exit 2', async () => {
    const dir = tempDir()
    const moved = await cliIn(dir, 'request', 'migrate', 'bb010-a', '--to', 'demo-b', '--demo', '--json')
    expect(moved.status, moved.stderr).toBe(0)
    const out = JSON.parse(moved.stdout) as { recommendations: { id: string; requestedBy: string; title: string; actions: { action: { kind: string; to?: string } }[] }[]; snapshot: { hosts: unknown[] } }
    expect(out.recommendations).toHaveLength(1)
    expect(out.recommendations[0]!.requestedBy).toMatch(/ \(cli\)$/)
    expect(out.recommendations[0]!.title).toMatch(/^Requested by .* \(cli\): move bb010-a from demo-a to demo-b$/)
    expect(out.recommendations[0]!.actions.map((a) => [a.action.kind, a.action.to])).toEqual([['migrate', 'demo-b']])
    expect(out.snapshot.hosts).toHaveLength(3)
    const refused = await cliIn(dir, 'request', 'resize', 'bb010-a', '--vcpus', '200', '--demo', '--json')
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/Refused: demo-a would carry 253 vCPUs, limit 128 \(4:1\)/)
    expect((await cliIn(dir, 'request', 'resize', 'bb010-a', '--memory', '4X', '--demo', '--json')).status).toBe(2)
    expect((await cliIn(dir, 'request', 'migrate', 'bb010-a', '--demo', '--json')).status).toBe(2)
    expect((await cliIn(dir, 'request', 'migrate', 'no-such-vm', '--to', 'demo-b', '--demo', '--json')).stderr).toMatch(/No VM "no-such-vm"/)
  })

  it('exports the history of a data file and recommends from such a file', async () => {
    const dir = tempDir()
    const file = join(dir, 'lab.db')
    const snapshotFile = join(dir, 'snapshot.json')
    // Now, not a pinned moment: export-history reads the days before now.
    writeFileSync(snapshotFile, (await cli('demo', '--json')).stdout)
    const snapshot = SnapshotSchema.parse(JSON.parse(readFileSync(snapshotFile, 'utf8')))
    // Eight days of one VM running at 0.2 cores: enough history for rightsizing to speak.
    const store = openStore(file)
    const vm = snapshot.vms.find((v) => v.allocation.vcpus >= 4)!
    store.inventory.save({ hosts: snapshot.hosts, vms: snapshot.vms }, snapshot.t)
    const samples = []
    for (let t = snapshot.t - 8 * 86_400_000; t < snapshot.t; t += 60_000) samples.push({ ...snapshot.vmSamples.find((s) => s.vmId === vm.id)!, t, cpuUsedCores: 0.2 })
    store.samples.save([], samples)
    store.close()
    const historyFile = join(dir, 'history.json')
    const exported = await cliIn(dir, 'export-history', '--data', file, '--days', '30', '--out', historyFile)
    expect(exported.status, exported.stderr).toBe(0)
    const history = HistoryFileSchema.parse(JSON.parse(readFileSync(historyFile, 'utf8')))
    expect(Object.keys(history.vms)).toEqual([vm.id])
    expect(history.vms[vm.id]!.cpuUsedCores.every((c) => Math.abs(c - 0.2) < 1e-9)).toBe(true)
    const run = await cliIn(dir, 'recommend', '--snapshot', snapshotFile, '--history', historyFile, '--json')
    expect(run.status, run.stderr).toBe(0)
    const recs = (JSON.parse(run.stdout) as { recommendations: { kind: string; target: { id: string } }[] }).recommendations
    expect(recs.some((r) => r.kind === 'rightsize-cpu' && r.target.id === vm.id)).toBe(true)
    expect((await cliIn(dir, 'recommend', '--snapshot', snapshotFile, '--history', snapshotFile, '--json')).stderr).toMatch(/is not a VirtPilot history file/)
  })

  it('keeps placement rules in a data file, refuses a conflicting one with the reason, and recommends at a migration threshold', async () => {
    const dir = tempDir()
    const file = join(dir, 'lab.db')
    const snapshotFile = join(dir, 'snapshot.json')
    writeFileSync(snapshotFile, (await cli('demo', '--json', '--at', DEMO_MOMENT)).stdout)
    const snapshot = SnapshotSchema.parse(JSON.parse(readFileSync(snapshotFile, 'utf8')))
    const store = openStore(file)
    store.inventory.save({ hosts: snapshot.hosts, vms: snapshot.vms }, snapshot.t)
    store.close()
    const [a, b] = snapshot.vms
    const added = await cliIn(dir, 'rules', 'add', 'anti-affinity', a!.name, b!.name, '--name', 'apart', '--data', file, '--json')
    expect(added.status, added.stderr).toBe(0)
    expect(JSON.parse(added.stdout)).toMatchObject({ id: 'r1', kind: 'anti-affinity', vms: [a!.id, b!.id], name: 'apart' })
    const conflict = await cliIn(dir, 'rules', 'add', 'affinity', a!.name, b!.name, '--data', file, '--json')
    expect(conflict.status).toBe(1)
    expect(conflict.stderr).toMatch(/would have to run together \(affinity\) and apart \(anti-affinity\)/)
    const list = await cliIn(dir, 'rules', 'list', '--data', file, '--json')
    expect((JSON.parse(list.stdout) as { rules: { id: string }[] }).rules.map((r) => r.id)).toEqual(['r1'])
    expect((await cliIn(dir, 'rules', 'remove', 'r1', '--data', file, '--json')).status).toBe(0)
    expect((await cliIn(dir, 'maintenance', 'exit', snapshot.hosts[0]!.id, '--data', file, '--json')).stderr).toMatch(/is not in maintenance/)

    const moves = async (threshold: string) => {
      const run = await cli('recommend', '--snapshot', snapshotFile, '--threshold', threshold, '--json')
      expect(run.status, run.stderr).toBe(0)
      return (JSON.parse(run.stdout) as { recommendations: { actions: { action: { kind: string } }[] }[] }).recommendations.flatMap((r) => r.actions).filter((x) => x.action.kind === 'migrate').length
    }
    expect(await moves('1')).toBe(0)
    expect(await moves('5')).toBeGreaterThan(0)
  }, 400_000)

  it('sets automation in a data file (level, windows, cap, a VM\'s own level), pauses and resumes it, and refuses bad values', async () => {
    const dir = tempDir()
    const file = join(dir, 'lab.db')
    const snapshot = SnapshotSchema.parse(JSON.parse((await cli('demo', '--json', '--at', DEMO_MOMENT)).stdout))
    const store = openStore(file)
    store.inventory.save({ hosts: snapshot.hosts, vms: snapshot.vms }, snapshot.t)
    store.close()
    const vm = snapshot.vms[0]!
    const shown = await cliIn(dir, 'automation', 'show', '--data', file, '--json')
    expect(shown.status, shown.stderr).toBe(0)
    expect(JSON.parse(shown.stdout)).toMatchObject({ settings: { level: 'manual', windows: [], maxMovesPerHour: 4, vms: {} }, movesLastHour: 0, acts: false })
    const set = await cliIn(dir, 'automation', 'set', '--level', 'fully-automated', '--window', 'mon-fri@22:00-06:00', '--window', 'sat,sun@00:00-24:00', '--time-zone', 'Asia/Shanghai', '--max-moves-per-hour', '2', '--vm', `${vm.name}=manual`, '--data', file, '--json')
    expect(set.status, set.stderr).toBe(0)
    expect(JSON.parse(set.stdout).settings).toMatchObject({
      level: 'fully-automated',
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '06:00' }, { days: ['sat', 'sun'], start: '00:00', end: '24:00' }],
      timeZone: 'Asia/Shanghai',
      maxMovesPerHour: 2,
      vms: { [vm.id]: 'manual' },
    })
    expect(await cliIn(dir, 'automation', 'set', '--level', 'sometimes', '--data', file, '--json')).toMatchObject({ status: 2, stderr: expect.stringContaining('--level must be manual, partially-automated, fully-automated') })
    expect(await cliIn(dir, 'automation', 'set', '--window', 'mon@22:00', '--data', file, '--json')).toMatchObject({ status: 2, stderr: expect.stringContaining('--window must look like mon-fri@22:00-06:00') })
    expect(await cliIn(dir, 'automation', 'set', '--time-zone', 'Mars/Olympus', '--data', file, '--json')).toMatchObject({ status: 2, stderr: expect.stringContaining('not a time zone') })
    expect((await cliIn(dir, 'automation', 'set', '--max-moves-per-hour', '0', '--data', file, '--json')).status).toBe(2)
    const paused = await cliIn(dir, 'automation', 'pause', '--cancel-running', '--data', file, '--json')
    expect(paused.status, paused.stderr).toBe(0)
    expect(JSON.parse(paused.stdout).settings.paused).toMatchObject({ running: 'cancel', by: expect.stringContaining('(cli)') })
    expect(JSON.parse((await cliIn(dir, 'automation', 'resume', '--data', file, '--json')).stdout).settings.paused).toBeUndefined()
    // Every change is in the audit log under the admin's name.
    const audit = openStore(file)
    expect(audit.plans.listAudit({}).map((e) => e.message.split(':')[0]).reverse()).toEqual(['automation set', `automation of ${vm.name}`, 'automation paused', 'automation resumed'])
    audit.close()
  }, 400_000)

  it('adds, lists and removes hosts of a data file, naming what went wrong', async () => {
    const dir = tempDir()
    const file = join(dir, 'lab.db')
    const bad = await cliIn(dir, 'hosts', 'add', 'root@bad host', '--data', file)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/is not a valid host name/)
    // Nothing listens on port 1 of loopback: added, but it says it could not be read.
    const down = await cliIn(dir, 'hosts', 'add', 'root@127.0.0.1:1', '--name', 'down', '--data', file)
    expect(down.status).toBe(1)
    expect(down.stderr).toMatch(/down was added but could not be read: 127\.0\.0\.1 refused the connection on port 1/)
    expect((await cliIn(dir, 'hosts', 'list', '--data', file, '--json')).stdout).toContain('"target": "root@127.0.0.1:1"')
    expect((await cliIn(dir, 'hosts', 'add', 'root@127.0.0.1:1', '--data', file)).stderr).toMatch(/already added/)
    expect((await cliIn(dir, 'collect', '--data', file, 'elsewhere', '--json')).stderr).toMatch(/has no host elsewhere: add it with `virtpilot hosts add elsewhere/)
    expect((await cliIn(dir, 'hosts', 'remove', 'down', '--data', file)).status).toBe(0)
    expect(JSON.parse((await cliIn(dir, 'hosts', 'list', '--data', file, '--json')).stdout)).toEqual([])
    const forget = await cliIn(dir, 'hosts', 'forget-key', 'kvm9', '--data', file)
    expect(forget.status).toBe(1)
    expect(forget.stderr).toMatch(/known_hosts has no key for kvm9/)
  })
})
