import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Plan, Recommendation } from '../../shared/model'
import type { Services } from '../../src-main/services/services'
import { domainXml, guestOf, virsh } from '../lab/guest'
import { describeWithLab, groundTruth, hostNamed, type LabHost } from './lab'
import { cliArgv } from '../support/built-cli'
import { recommendation } from './support/recommendations'
import { call, dataFileOf, servicesForLab, until } from './support/services'
import type { Store } from '../../src-main/store'

// Approve -> plan -> apply over SSH on real hosts, read back with virsh on each host's own socket.

let dir: string
let services: Services
/** The same data file, read and written beside the services (recommendations the engine would make). */
let data: Store

const recommend = recommendation

function vmId(name: string): string {
  const vm = services.cluster.snapshot().vms.find((v) => v.name === name)
  if (!vm) throw new Error(`no VM ${name} in the snapshot`)
  return vm.id
}

/** Approves recommendations, makes a plan of them and applies it; resolves with the finished plan. */
async function approveAndApply(recs: Recommendation[], options: { allowUnsafeMigration?: boolean } = {}): Promise<{ plan: Plan; updates: Plan[] }> {
  data.recommendations.replaceOpen(recs, Date.now())
  for (const r of recs) await call(services, 'recommendations.decide', { id: r.id, decision: 'approve' })
  const plan = await call<Plan>(services, 'plans.create', { recommendationIds: recs.map((r) => r.id), ...options })
  const updates: Plan[] = []
  const off = services.events.on('plans.changed', (p) => p.id === plan.id && updates.push(p))
  await call(services, 'plans.apply', { id: plan.id })
  const finished = await until('the plan to finish', () => {
    const p = data.plans.getPlan(plan.id)!
    return p.state !== 'running' && p.state !== 'ready' ? p : undefined
  }, 180_000)
  off()
  return { plan: finished, updates }
}

/** Waits until VirtPilot's own snapshot has a VM on a host (after it was moved behind its back). */
async function seenOn(name: string, hostId: string): Promise<void> {
  await until(`VirtPilot to see ${name} on ${hostId}`, () => (services.cluster.snapshot().vms.find((v) => v.name === name)?.hostId === hostId ? true : undefined), 120_000)
}

async function vcpus(host: LabHost, name: string): Promise<number> {
  return Number((await groundTruth(host, ['vcpucount', name, '--live', '--active'])).trim())
}

async function balloonMiB(host: LabHost, name: string): Promise<number> {
  return Number(/^actual\s+(\d+)/m.exec(await groundTruth(host, ['dommemstat', name]))![1]) / 1024
}

describeWithLab('applying approved plans on real hosts', (lab) => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'virtpilot-apply-'))
    services = await servicesForLab(lab, dir)
    data = dataFileOf(dir)
  })

  afterAll(async () => {
    data?.close()
    await services?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('hot-adds a vCPU and moves the balloon on a live guest, verified and audited', async () => {
    const host = hostNamed(lab, 'h1')
    const name = host.guests[0]!.name
    const vm = vmId(name)
    expect(await vcpus(host, name)).toBe(1)
    const { plan } = await approveAndApply([
      recommend('it-cpu', `Give ${name} a second vCPU`, [{ action: { kind: 'setVcpus', vm, host: 'h1', count: 2, live: true }, rollback: { kind: 'setVcpus', vm, host: 'h1', count: 1, live: true } }]),
      recommend('it-mem', `Balloon ${name} to 100 MiB`, [{ action: { kind: 'setMemory', vm, host: 'h1', memoryMiB: 100, live: true }, rollback: { kind: 'setMemory', vm, host: 'h1', memoryMiB: 128, live: true } }]),
    ])
    expect(plan.state).toBe('done')
    expect(await vcpus(host, name)).toBe(2)
    expect(Math.abs((await balloonMiB(host, name)) - 100)).toBeLessThanOrEqual(1)
    const audit = data.plans.listAudit({ planId: plan.id })
    // Each command is in the audit twice: before it was sent, then with its exit code.
    const sent = audit.filter((e) => e.kind === 'command' && e.message.startsWith('sending: '))
    const results = audit.filter((e) => e.kind === 'command' && !e.message.startsWith('sending: '))
    expect(sent.map((e) => e.argv?.slice(3, 4)[0]).sort()).toEqual(['setmem', 'setvcpus'])
    expect(results.map((e) => e.argv)).toEqual(sent.map((e) => e.argv))
    expect(results.every((e) => e.exitCode === 0)).toBe(true)
    expect(results.every((r) => sent.some((e) => e.id < r.id && JSON.stringify(e.argv) === JSON.stringify(r.argv)))).toBe(true)
    expect(audit.filter((e) => e.kind === 'verify' && e.message.startsWith('verified'))).toHaveLength(2)
    const items = (await call<{ items: { recommendation: { id: string }; status: string }[] }>(services, 'recommendations.list', {})).items
    expect(items.filter((i) => i.recommendation.id.startsWith('it-')).map((i) => i.status)).toEqual(['applied', 'applied'])
    // Leave the guest as the other tests expect it.
    await groundTruth(host, ['setmem', name, String(128 * 1024), '--live'])
  })

  it('live-migrates a guest from h1 to h2 through VirtPilot, with progress, and it keeps running', async () => {
    const [h1, h2] = [hostNamed(lab, 'h1'), hostNamed(lab, 'h2')]
    const name = h1.guests[1]!.name
    const vm = vmId(name)
    const { plan, updates } = await approveAndApply(
      [recommend('it-move', `Move ${name} to h2`, [{ action: { kind: 'migrate', vm, from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate', vm, from: 'h2', to: 'h1', live: true } }])],
      // The lab's disks are local qcow2 files visible to both hosts; libvirt calls that unsafe.
      { allowUnsafeMigration: true },
    )
    expect(plan.state, plan.steps[0]!.message).toBe('done')
    expect((await groundTruth(h2, ['domstate', name])).trim()).toBe('running')
    expect((await groundTruth(h1, ['list', '--all', '--name'])).split('\n')).not.toContain(name)
    expect(updates.some((p) => p.steps[0]!.state === 'running')).toBe(true)
    expect(updates.at(-1)!.steps[0]!.state).toBe('done')
    // Back where the lab had it.
    await virsh(h2.libvirt.uri, ['migrate', '--live', '--persistent', '--undefinesource', '--unsafe', name, h1.libvirt.uri, '--migrateuri', `tcp://${h1.ip}`])
    await seenOn(name, 'h1')
  })

  it('a migration\'s tunnel on the source refuses every other local user: tried as nobody while the migration runs', async () => {
    const [h1, h2] = [hostNamed(lab, 'h1'), hostNamed(lab, 'h2')]
    const name = h1.guests[1]!.name
    const vm = vmId(name)
    // Tunnel directories left by a VirtPilot killed mid-migration (the kill tests) are not this migration's.
    const tunnelDirs = () => readdirSync('/tmp').filter((n) => n.startsWith('virtpilot-migrate.'))
    const before = new Set(tunnelDirs())
    // Whatever VirtPilot's SSH session listens on on the source: TCP ports on its loopback, sockets in its directories.
    const endpoints = (): string[] => {
      const tcp = execFileSync('nsenter', [`--net=/run/netns/${h1.namespace}`, 'ss', '-Hltnp'])
        .toString()
        .split('\n')
        .filter((l) => l.includes('"sshd"'))
        .map((l) => /\s(\S+):(\d+)\s/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null && m[2] !== '22')
        .map((m) => `tcp:${m[1]!.replace(/^\[|\]$/g, '')}:${m[2]}`)
      const unix = tunnelDirs()
        .filter((n) => !before.has(n))
        .map((n) => `unix:/tmp/${n}/libvirt.sock`)
      return [...tcp, ...unix]
    }
    // The other user: uid/gid 65534 (nobody), no supplementary groups, inside the source's network namespace.
    const connectAsNobody = (endpoint: string): string => {
      const address = endpoint.startsWith('tcp:') ? `TCP:${endpoint.slice(4)}` : `UNIX-CONNECT:${endpoint.slice(5)}`
      const r = spawnSync('nsenter', [`--net=/run/netns/${h1.namespace}`, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'socat', '-u', 'OPEN:/dev/null', address], { encoding: 'utf8', timeout: 10_000 })
      return r.status === 0 ? 'connected' : r.stderr.trim()
    }
    const tried = new Map<string, string>()
    let watching = true
    const watcher = (async () => {
      while (watching) {
        for (const endpoint of endpoints()) if (!tried.has(endpoint)) tried.set(endpoint, connectAsNobody(endpoint))
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    let plan: Plan
    try {
      ;({ plan } = await approveAndApply(
        [recommend('it-move-watched', `Move ${name} to h2`, [{ action: { kind: 'migrate', vm, from: 'h1', to: 'h2', live: true }, rollback: { kind: 'migrate', vm, from: 'h2', to: 'h1', live: true } }])],
        { allowUnsafeMigration: true },
      ))
    } finally {
      watching = false
      await watcher
    }
    try {
      expect(plan.state, plan.steps[0]!.message).toBe('done')
      expect(tried.size, 'no tunnel endpoint was seen on the source during the migration').toBeGreaterThan(0)
      for (const [endpoint, outcome] of tried) expect(outcome, endpoint).toMatch(/Permission denied/)
      // The private directory is gone with the migration.
      expect(tunnelDirs().filter((n) => !before.has(n))).toEqual([])
    } finally {
      // Back where the lab had it, whatever happened above: the next tests stand on it.
      if ((await groundTruth(h2, ['domstate', name]).catch(() => '')).trim() === 'running') {
        await virsh(h2.libvirt.uri, ['migrate', '--live', '--persistent', '--undefinesource', '--unsafe', name, h1.libvirt.uri, '--migrateuri', `tcp://${h1.ip}`])
      }
      await seenOn(name, 'h1')
    }
  })

  it('rolls back the first step when the second one\'s destination stops mid-plan, and says so', async () => {
    const [h2, h3] = [hostNamed(lab, 'h2'), hostNamed(lab, 'h3')]
    const [first, second] = [h3.guests[0]!.name, h3.guests[1]!.name]
    const [vm1, vm2] = [vmId(first), vmId(second)]
    const libvirtdPid = Number(execFileSync('cat', [join(lab.base, 'hosts', 'h2', 'libvirtd.pid')]).toString().trim())
    // Stop h2's libvirtd as soon as the first step (on h3) starts: the migration to h2 must fail.
    const off = services.events.on('plans.changed', (p) => {
      if (p.steps[0]?.state === 'running') {
        try {
          process.kill(libvirtdPid, 'SIGKILL')
        } catch {
          // already stopped
        }
      }
    })
    let result: { plan: Plan }
    try {
      result = await approveAndApply(
        [
          recommend('it-shrink', `Balloon ${first} to 100 MiB`, [{ action: { kind: 'setMemory', vm: vm1, host: 'h3', memoryMiB: 100, live: true }, rollback: { kind: 'setMemory', vm: vm1, host: 'h3', memoryMiB: 128, live: true } }]),
          recommend('it-move2', `Move ${second} to h2`, [{ action: { kind: 'migrate', vm: vm2, from: 'h3', to: 'h2', live: true }, rollback: { kind: 'migrate', vm: vm2, from: 'h2', to: 'h3', live: true } }]),
        ],
        { allowUnsafeMigration: true },
      )
    } finally {
      off()
      // Start h2's libvirtd again inside h2 (its mount, network and UTS namespaces are sshd's).
      execFileSync('nsenter', ['-t', String(h2.pids.sshd), '-m', '-n', '-u', '/usr/sbin/libvirtd', '--daemon', '--pid-file', join(lab.base, 'hosts', 'h2', 'libvirtd.pid')])
      await until('h2 libvirt back', async () => ((await groundTruth(h2, ['list', '--name']).catch(() => undefined)) !== undefined ? true : undefined))
    }
    const { plan } = result
    expect(plan.state).toBe('rolled-back')
    expect(plan.steps.map((s) => s.state)).toEqual(['rolled-back', 'failed'])
    expect(Math.abs((await balloonMiB(h3, first)) - 128)).toBeLessThanOrEqual(1)
    expect((await groundTruth(h3, ['domstate', second])).trim()).toBe('running')
    const audit = data.plans.listAudit({ planId: plan.id })
    expect(audit.some((e) => e.kind === 'rollback' && e.exitCode === 0)).toBe(true)
    expect(audit.some((e) => e.kind === 'state' && /plan rolled back/.test(e.message))).toBe(true)
    expect(plan.outcome!.find((o) => o.host === 'h3')!.summary).toMatch(/rolled-back/)
  })

  it('changes a VM named with shell syntax by its UUID, and nothing on the host runs the name', async () => {
    const host = hostNamed(lab, 'h1')
    const name = `apply 'q' ;touch vp-pwned4;$(touch vp-pwned5) \`touch vp-pwned6\``
    const safe = guestOf(lab.base, { name: 'h1-oddapply' })
    const xml = domainXml(safe, { kernel: lab.guestImage.kernel, initrd: lab.guestImage.initrd }).replace(
      `<name>${safe.name}</name>`,
      `<name>${name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;')}</name>`,
    )
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', safe.disk, '16M'])
    writeFileSync(`${safe.disk}.xml`, xml)
    await virsh(host.libvirt.uri, ['define', `${safe.disk}.xml`])
    await virsh(host.libvirt.uri, ['start', name])
    try {
      await until('the odd VM in the inventory', () => services.cluster.snapshot().vms.find((v) => v.name === name))
      const vm = vmId(name)
      const { plan } = await approveAndApply([
        recommend('it-shares', `Shares for ${name}`, [{ action: { kind: 'setCpuShares', vm, host: 'h1', shares: 512 }, rollback: { kind: 'setCpuShares', vm, host: 'h1', shares: 1024 } }]),
      ])
      expect(plan.state).toBe('done')
      expect(await groundTruth(host, ['schedinfo', name, '--live'])).toMatch(/cpu_shares\s*:\s*512/)
      expect(plan.steps[0]!.commands[0]!.argv.join(' ')).not.toContain('touch')
    } finally {
      await virsh(host.libvirt.uri, ['destroy', name]).catch(() => undefined)
      await virsh(host.libvirt.uri, ['undefine', name]).catch(() => undefined)
      rmSync(safe.disk, { force: true })
      rmSync(`${safe.disk}.xml`, { force: true })
      rmSync(safe.consoleLog, { force: true })
    }
    // find's exit status also counts folders other processes remove while it looks (a busy /tmp): what it found is what counts.
    expect(spawnSync('find', [lab.base, '/root', '/tmp', '-maxdepth', '4', '-name', 'vp-pwned*']).stdout.toString().trim()).toBe('')
  })

  it('does the same from the command line: plan from a recommendations file, then apply it', async () => {
    const host = hostNamed(lab, 'h2')
    const name = host.guests[0]!.name
    const vm = vmId(name)
    const before = Number(/cpu_shares\s*:\s*(\d+)/.exec(await groundTruth(host, ['schedinfo', name, '--live']))![1])
    const recFile = join(dir, 'recommendations.json')
    writeFileSync(recFile, JSON.stringify({ recommendations: [recommend('cli-shares', `Shares for ${name}`, [{ action: { kind: 'setCpuShares', vm, host: 'h2', shares: 2048 }, rollback: { kind: 'setCpuShares', vm, host: 'h2', shares: before } }])], snapshot: services.cluster.snapshot() }))
    const env = { ...process.env, VIRTPILOT_SSH_DIR: join(dir, '.ssh') }
    const cli = (...args: string[]) => spawnSync(process.execPath, cliArgv(args), { encoding: 'utf8', env, timeout: 600_000 })
    const planFile = join(dir, 'plan.json')
    const planned = cli('plan', '--from', recFile, '--approve', 'cli-shares', '--out', planFile, '--data', join(dir, 'virtpilot.db'), '--json')
    expect(planned.status, planned.stderr).toBe(0)
    const applied = cli('apply', planFile, '--data', join(dir, 'virtpilot.db'), '--json')
    expect(applied.status, applied.stderr).toBe(0)
    expect(JSON.parse(applied.stdout).state).toBe('done')
    expect(applied.stderr).toMatch(/step-1 running/)
    expect(await groundTruth(host, ['schedinfo', name, '--live'])).toMatch(/cpu_shares\s*:\s*2048/)
    await groundTruth(host, ['schedinfo', name, '--live', '--set', `cpu_shares=${before}`])
  })
})
