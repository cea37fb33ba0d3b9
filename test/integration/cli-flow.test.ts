import { spawnSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Plan } from '../../shared/model'
import { startGuest, virsh, waitForBoot } from '../lab/guest'
import { addExtraGuest, describeWithLab, groundTruth, hostNamed, removeExtraGuest, type LabGuest } from './lab'
import { labSshDir } from './support/services'
import { LoopbackSshd } from './support/sshd'

// The README's command-line flow as an admin runs it: a HOME whose ~/.ssh/config names the lab
// hosts by alias (h1, h2, h3), a data file of their own, and nothing else.

let home: string
let file: string

function cli(...args: string[]) {
  const { VIRTPILOT_SSH_DIR: _ssh, VIRTPILOT_DATA: _data, ...env } = process.env
  return spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], { encoding: 'utf8', env: { ...env, HOME: home }, timeout: 300_000 })
}

describeWithLab('the README command-line flow on hosts named by ~/.ssh/config aliases', (lab) => {
  let wide: LabGuest | undefined

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'virtpilot-home-'))
    labSshDir(lab, home)
    file = join(home, 'lab.db')
    // h1 carries one more guest, with 2 vCPUs: with the CPU overcommit limit below it holds one vCPU too many.
    wide = await addExtraGuest(lab, hostNamed(lab, 'h1'), { name: 'h1-wide', vcpus: 2 })
  })

  afterAll(async () => {
    if (wide) await removeExtraGuest(hostNamed(lab, 'h1'), wide)
    rmSync(home, { recursive: true, force: true })
  })

  it('hosts add -> collect -> recommend -> plan -> apply live-migrates a guest, and virsh agrees', async () => {
    for (const host of lab.hosts) {
      const added = cli('hosts', 'add', host.name, '--data', file)
      expect(added.status, added.stderr).toBe(0)
      expect(added.stdout).toMatch(new RegExp(`^${host.name}\\tonline\\t${host.name}`))
    }

    const collected = cli('collect', '--data', file, '--samples', '2', '--interval', '1', '--json')
    expect(collected.status, collected.stderr).toBe(0)
    const hosts = (JSON.parse(collected.stdout) as { hosts: { id: string; ok: boolean; host: { cpu: { threads: number } }; vms: { name: string; state: string; allocation: { vcpus: number } }[]; vmSamples: unknown[] }[] }).hosts
    expect(hosts.map((h) => [h.id, h.ok])).toEqual(lab.hosts.map((h) => [h.name, true]))
    const h1 = hosts.find((h) => h.id === 'h1')!
    expect(h1.vms.map((v) => v.name)).toContain('h1-wide')
    expect(h1.vmSamples.length).toBeGreaterThan(0)

    // One vCPU less than h1 holds is the limit: one of its 1-vCPU guests has to move.
    const vcpus = h1.vms.filter((v) => v.state === 'running').reduce((sum, v) => sum + v.allocation.vcpus, 0)
    const ratio = (vcpus - 1) / h1.host.cpu.threads
    const recommended = cli('recommend', '--data', file, '--cpu-ratio', String(ratio), '--json')
    expect(recommended.status, recommended.stderr).toBe(0)
    const recFile = join(home, 'recs.json')
    writeFileSync(recFile, recommended.stdout)
    const output = JSON.parse(recommended.stdout) as { recommendations: { id: string; kind: string; actions: { action: { kind: string; vm: string; from: string; to: string } }[] }[]; snapshot: { vms: { id: string; name: string }[] } }
    // A move forced by the limit (kind 'evacuate') or one that balances (kind 'migrate'): a live migration from h1 either way.
    const move = output.recommendations.find((r) => r.actions.length === 1 && r.actions[0]!.action.kind === 'migrate' && r.actions[0]!.action.from === 'h1')
    expect(move, JSON.stringify(output.recommendations.map((r) => r.kind))).toBeDefined()
    const { vm, to } = move!.actions[0]!.action
    const name = output.snapshot.vms.find((v) => v.id === vm)!.name
    const destination = hostNamed(lab, to)

    const planFile = join(home, 'plan.json')
    const planned = cli('plan', '--from', recFile, '--approve', move!.id, '--allow-unsafe-migration', '--out', planFile, '--data', file, '--json')
    expect(planned.status, planned.stderr).toBe(0)
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan
    // The alias is how VirtPilot reaches the host; the guest's memory goes to the address ~/.ssh/config gives.
    expect(plan.steps[0]!.commands[0]!.argv).toEqual(expect.arrayContaining(['--migrateuri', `tcp://${destination.ip}`]))

    const applied = cli('apply', planFile, '--data', file, '--json')
    expect(applied.status, applied.stderr).toBe(0)
    expect((JSON.parse(applied.stdout) as Plan).state).toBe('done')
    expect(applied.stderr).toMatch(/step-1 running/)
    try {
      const state = (await groundTruth(destination, ['domstate', '--reason', name])).trim()
      const qemuLog = await readFile(join(lab.base, 'hosts', destination.name, 'var-log-libvirt', 'qemu', `${name}.log`), 'utf8').catch(() => '(no log)')
      expect(state, `${name} on ${destination.name}; its QEMU log ends:\n${qemuLog.slice(-1500)}`).toMatch(/^running/)
      expect((await groundTruth(hostNamed(lab, 'h1'), ['list', '--all', '--name'])).split('\n')).not.toContain(name)
      // The same file again: the guest is no longer where the plan says, so nothing runs.
      const again = cli('apply', planFile, '--data', file, '--json')
      expect(again.status).toBe(1)
      expect(again.stderr).toMatch(/out of date/)
    } finally {
      // Back where the lab had it, running, whatever happened above.
      const h1Lab = hostNamed(lab, 'h1')
      const guest = h1Lab.guests.find((g) => g.name === name)
      const running = (await groundTruth(destination, ['domstate', name]).catch(() => '')).trim() === 'running'
      if (running) await virsh(destination.libvirt.uri, ['migrate', '--live', '--persistent', '--undefinesource', '--unsafe', name, h1Lab.libvirt.uri, '--migrateuri', `tcp://${h1Lab.ip}`]).catch(() => undefined)
      if ((await groundTruth(h1Lab, ['domstate', name]).catch(() => '')).trim() !== 'running' && guest) {
        await virsh(destination.libvirt.uri, ['undefine', name]).catch(() => undefined)
        await virsh(h1Lab.libvirt.uri, ['undefine', name]).catch(() => undefined)
        await startGuest(h1Lab.libvirt.uri, guest, { kernel: lab.guestImage.kernel, initrd: lab.guestImage.initrd })
        await waitForBoot(guest, 90_000)
      }
    }
  }, 600_000)

  it('trusts a new host key when asked, names VirtPilot\'s own known_hosts when the key changes, and forgets it on request', async () => {
    const sshd = new LoopbackSshd()
    // Not a hypervisor: only the SSH side matters here.
    sshd.forceCommand = 'echo not a hypervisor'
    await sshd.start()
    try {
      appendFileSync(join(home, '.ssh', 'config'), `Host rebuilt\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.clientKey}\n`)
      const data = join(home, 'keys.db')
      const appKnownHosts = join(home, 'known_hosts')
      const added = cli('hosts', 'add', 'rebuilt', '--accept-new', '--data', data)
      expect(added.stderr).toMatch(/presents a ssh-ed25519 host key nobody trusted yet/)
      expect(readFileSync(appKnownHosts, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 ${sshd.hostPublicKeyBase64()}`)

      await sshd.stop()
      sshd.rekey()
      await sshd.start()
      const changed = cli('collect', '--data', data, '--json')
      expect(changed.status).toBe(1)
      expect(changed.stderr).toContain(`HOST KEY CHANGED for rebuilt (127.0.0.1:${sshd.port})`)
      expect(changed.stderr).toContain(`remove it from VirtPilot's own ${appKnownHosts} (virtpilot hosts forget-key 127.0.0.1 --port ${sshd.port})`)

      const forgot = cli('hosts', 'forget-key', 'rebuilt', '--data', data)
      expect(forgot.status, forgot.stderr).toBe(0)
      expect(readFileSync(appKnownHosts, 'utf8')).not.toContain(`[127.0.0.1]:${sshd.port}`)
      // Now the new key is just unknown again: asked about, not refused as changed.
      const again = cli('collect', '--data', data, '--json')
      expect(again.stderr).toMatch(/is not trusted yet/)
    } finally {
      await sshd.dispose()
    }
  })
})
