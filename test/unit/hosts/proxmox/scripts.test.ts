import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseProxmoxDiscoverOutput } from '../../../../src-main/hosts/proxmox/discover-output'
import { PVE_DISCOVER_COMMAND, PVE_DISCOVER_SCRIPT } from '../../../../src-main/hosts/proxmox/discover-script'
import { parseProxmoxStatsOutput } from '../../../../src-main/hosts/proxmox/stats-output'
import { PVE_STATS_FORMAT, PVE_STATS_SCRIPT, pveStatsRequest } from '../../../../src-main/hosts/proxmox/stats-script'
import { fixture, ok } from '../libvirt/fixture'
import { StatsSession } from '../../../../src-main/hosts/linux/stats-session'
import { LocalHost } from '../local-session'
import { unchangedChars } from '../unchanged-lines'
import { answerStorage } from '../../../fixtures/outputs/proxmox/assemble-outputs'
import { makeFakeNode, pollStatsSession, runScript, spawnBusyGuest, type FakeNode } from './fake-node'

describe('the Proxmox host scripts', () => {
  it('are constants without backslashes or leaked template values, so sh -c quoting is exact', () => {
    for (const script of [PVE_STATS_SCRIPT, PVE_DISCOVER_SCRIPT]) {
      expect(script).not.toContain('\\')
      // Only the shell's own expansions: the test-only folder overrides, path trimming, positional fields (utime, stime, guest_time).
      expect(script.match(/\$\{[^}]*\}/g)?.filter((e) => !/^\$\{(VIRTPILOT_PVE_(ETC|RUN_DIR):-\/[a-z/-]+|VIRTPILOT_HOST_ROOT:-|[a-z]+(##?|%)[^}]*|1[23]|41)\}$/.test(e))).toEqual([])
    }
    expect(pveStatsRequest('00112233445566778899aabb')).toBe('@@VP 00112233445566778899aabb POLL -\n')
    expect(() => pveStatsRequest('1; reboot')).toThrow('hex')
    expect(PVE_DISCOVER_COMMAND.startsWith("sh -c '")).toBe(true)
  })

  it('only read: no command that changes anything on the node', () => {
    for (const script of [PVE_STATS_SCRIPT, PVE_DISCOVER_SCRIPT]) {
      expect(script).not.toMatch(/\b(qm (set|start|stop|migrate)|pvesh (set|create|delete)|rm |mv |tee |echo [0-9] *>|> *\/(sys|proc|etc))/)
      // pvesh only reads: the guests, and this node's storages and their guest volumes.
      for (const pvesh of script.match(/pvesh .*/g) ?? []) {
        expect([
          'pvesh get /cluster/resources --type vm --output-format json',
          'pvesh get /nodes/localhost/storage --output-format json',
          'pvesh get /nodes/localhost/storage/$s/content --content images --output-format json </dev/null',
        ]).toContain(pvesh)
      }
    }
  })
})

// There is no Proxmox VE on this machine: pvesh and pveversion are FAKES printing real fixture
// JSON (fake-node.ts). Everything else the scripts read is this machine's, for real.
describe.runIf(process.platform === 'linux')('the scripts run here under /bin/sh (fake pvesh, real /proc and awk)', () => {
  let node: FakeNode
  beforeEach(() => {
    node = makeFakeNode()
  })
  afterEach(() => node.cleanup())

  /** This machine's node name, as the scripts derive it. */
  const me = async () => (await runScript('uname -n', node.env)).stdout.trim().split('.')[0]!

  it('the stats script reads a real busy process as a running guest, and skips stale and foreign pid files', async () => {
    // Lives until stopped below: however slow the machine, it is there when the script reads it.
    const guest = await spawnBusyGuest({ ms: 600_000, duty: 0.6, vcpus: 2 })
    try {
      const here = await me()
      node.setClusterResources(JSON.stringify([
        { type: 'qemu', vmid: 113, node: here, status: 'running', name: 'busy', maxcpu: 2, mem: 536870912, diskread: 10, diskwrite: 20 },
        { type: 'qemu', vmid: 114, node: here, status: 'stopped', name: 'stale' },
      ]))
      node.writePidFile('113.pid', `${guest.pid}\n`)
      node.writePidFile('113.swtpm.pid', `${guest.pid}\n`) // swtpm's pid file: not a guest
      node.writePidFile('114.pid', '2147483646\n') // left behind by a crashed guest
      node.writePidFile('115.pid', 'not a pid\n')
      node.writePidFile('x;reboot.pid', `${guest.pid}\n`)
      const [stdout] = await pollStatsSession(PVE_STATS_SCRIPT, pveStatsRequest, node.env)
      const r = ok(parseProxmoxStatsOutput(stdout!, { hostId: 'local', t: Date.now(), vmIdOf: (v) => ({ 113: 'pve-113', 114: 'pve-114' })[v] }))
      expect(r.node).toBe(here)
      expect(r.raw.vms).toHaveLength(1)
      const vm = r.raw.vms[0]!
      expect(vm).toMatchObject({ vmId: 'pve-113', vcpus: 2, memUsedKiB: 524288, diskReadBytes: 10, diskWriteBytes: 20 })
      expect(vm.cpuTimeNs).toBeGreaterThan(0)
      expect(r.vms[0]).toMatchObject({ pid: guest.pid, vcpuThreads: 2, unreadableThreads: 0, runDelaySource: 'schedstat' })
      // Its CPU by thread kind, read in the same pass: the vCPU threads carry the busy loops.
      expect(vm.qemu).toMatchObject({ pid: guest.pid })
      expect(vm.qemu!.vcpuNs).toBeGreaterThan(0)
      expect(vm.qemu!.vcpuNs + vm.qemu!.emulatorNs + vm.qemu!.iothreadNs + vm.qemu!.vhostNs + vm.qemu!.otherNs).toBe(vm.qemu!.totalNs)
      expect(r.problems).toEqual([{ section: 'qemu', message: 'bad-pidfile 115' }])
      expect(r.raw.hosts[0]!.cpuTicks.idle).toBeGreaterThan(0)
      expect(stdout).toContain('gone 2147483646 114')
      expect(stdout).not.toContain('reboot')
    } finally {
      guest.stop()
    }
  }, 30_000)

  it('the stats session answers poll after poll from one awk, sending only the lines that changed', async () => {
    node.setClusterResources(JSON.stringify([{ type: 'qemu', vmid: 100, node: await me(), status: 'stopped', name: 'off' }]))
    const host = new LocalHost(node.env)
    const session = new StatsSession(host, PVE_STATS_SCRIPT)
    try {
      let previous: string | undefined
      for (let i = 0; i < 3; i++) {
        const before = session.bytes
        const out = await session.read(pveStatsRequest, 30_000)
        const r = ok(parseProxmoxStatsOutput(out, { hostId: 'h', t: i, vmIdOf: () => undefined }))
        // At least half of what did not change since the previous poll was not sent again.
        if (previous) expect(session.bytes - before).toBeLessThan(out.length - unchangedChars(previous, out, PVE_STATS_FORMAT) / 2)
        previous = out
        expect(r.clockTicksPerSecond).toBeGreaterThan(0)
        expect(r.unknownVmids).toEqual([100])
        expect(r.raw.hosts[0]!.memTotalKiB).toBeGreaterThan(0)
      }
      expect(host.children).toHaveLength(1)
    } finally {
      session.close()
    }
  }, 30_000)

  it('the stats script says so when there is no pid folder (no guest ever ran)', async () => {
    const [stdout] = await pollStatsSession(PVE_STATS_SCRIPT, pveStatsRequest, { ...node.env, VIRTPILOT_PVE_RUN_DIR: `${node.dir}/nonexistent` })
    const r = ok(parseProxmoxStatsOutput(stdout!, { hostId: 'h', t: 1, vmIdOf: () => undefined }))
    expect(r.problems).toEqual([{ section: 'qemu', message: `missing ${node.dir}/nonexistent` }])
    expect(r.raw.hosts).toHaveLength(1)
  }, 30_000)

  it('the discover script reads this machine and the real Proxmox configs; a non-digit config name is never read', async () => {
    // The assembled rows were made on a machine named `vm`: move them to this one.
    node.setClusterResources(fixture('proxmox/cluster-resources-assembled.json').replaceAll('"node":"vm"', `"node":"${await me()}"`))
    node.writeConfig('100.conf', fixture('proxmox/packer-plugin-proxmox_qemu_100_config.conf'))
    node.writeConfig('113.conf', fixture('proxmox/qemu-server_snapshot-rollback_101.conf'))
    node.writeConfig('1x;id.conf', 'cores: 64\n')
    node.writeStorageCfg(fixture('proxmox/storage-cfg2cmd-harness.cfg') + 'dir: x;reboot\n\tpath /tmp\n')
    node.writeEtc('.members', fixture('proxmox/pmxcfs_members_cluster.json'))
    node.writeEtc('pve-root-ca.pem', fixture('proxmox/pve-root-ca_lab-a.pem'))
    answerStorage(node)
    const run = await runScript(PVE_DISCOVER_SCRIPT, node.env)
    const d = ok(parseProxmoxDiscoverOutput(run.stdout, { hostId: 'local' }))
    // Storage ids are checked before they reach pvesh: `x;reboot` is never listed.
    expect(run.stdout).toContain('BEGIN storage-content local-lvm')
    expect(run.stdout).not.toContain('storage-content x;reboot')
    expect(d.storage.pools.map((p) => p.name)).toContain('local-lvm')
    expect(d.inventory.hosts[0]).toMatchObject({ source: 'proxmox', state: 'online' })
    expect(d.inventory.hosts[0]!.cpu.threads).toBeGreaterThan(0)
    // Guests are named by vmid within their cluster: `pvec` and its CA certificate's digest (3705e7f4...).
    expect(d.inventory.vms.map((v) => [v.id, v.name])).toEqual([['pve-100@pvec-3705e7f4', 'first-vm'], ['pve-101@pvec-3705e7f4', 'second-vm'], ['pve-113@pvec-3705e7f4', 'win']])
    expect(d.inventory.hosts[0]!.cluster).toEqual({ id: 'pve:pvec:3705e7f41467a32d15870097bc6e0be5bedea66796a557da85a0c27689bb7e9f', name: 'pvec', via: 'SSH (CA SHA-256 3705e7f4)' })
    expect(d.inventory.formerIds).toEqual({ 'pve-100@pvec-3705e7f4': 'pve-100', 'pve-101@pvec-3705e7f4': 'pve-101', 'pve-113@pvec-3705e7f4': 'pve-113' })
    // 101 has a row but no config file here.
    expect(d.problems).toEqual([{ section: 'qemu-config', field: 'vmid 101', message: 'no readable config file on this node' }])
    expect(run.stdout).not.toContain('cores: 64')
  })

  it('two labs\' clusters with every name in common (pvec, the same node and guests) give different ids; a standalone node is a cluster of its own', async () => {
    node.setClusterResources(fixture('proxmox/cluster-resources-assembled.json').replaceAll('"node":"vm"', `"node":"${await me()}"`))
    node.writeConfig('100.conf', fixture('proxmox/packer-plugin-proxmox_qemu_100_config.conf'))
    node.writeEtc('.members', fixture('proxmox/pmxcfs_members_cluster.json'))
    const read = async (ca: string) => {
      node.writeEtc('pve-root-ca.pem', fixture(`proxmox/${ca}`))
      return ok(parseProxmoxDiscoverOutput((await runScript(PVE_DISCOVER_SCRIPT, node.env)).stdout, { hostId: 'local' }))
    }
    const a = await read('pve-root-ca_lab-a.pem')
    const b = await read('pve-root-ca_lab-b.pem')
    expect(a.inventory.vms[0]!.id).toBe('pve-100@pvec-3705e7f4')
    expect(b.inventory.vms[0]!.id).toBe('pve-100@pvec-3326de54')
    expect([a, b].map((d) => d.inventory.hosts[0]!.cluster!.name)).toEqual(['pvec', 'pvec'])
    expect(a.inventory.hosts[0]!.cluster!.id).not.toBe(b.inventory.hosts[0]!.cluster!.id)
    node.writeEtc('.members', fixture('proxmox/pmxcfs_members_standalone.json'))
    const alone = await read('pve-root-ca_lab-a.pem')
    expect(alone.inventory.hosts[0]!.cluster!.name).toBe(await me())
    // No certificate to tell clusters apart: the ids VirtPilot gave before, and a problem that says what is lost.
    rmSync(join(node.dir, 'etc', 'pve-root-ca.pem'))
    const unknown = ok(parseProxmoxDiscoverOutput((await runScript(PVE_DISCOVER_SCRIPT, node.env)).stdout, { hostId: 'local' }))
    expect(unknown.inventory.vms[0]!.id).toBe('pve-100')
    expect(unknown.inventory.formerIds).toBeUndefined()
    expect(unknown.problems.find((p) => p.section === 'pve-ca')!.message).toMatch(/exit 1.*tells same-named clusters apart/)
  })

  it('discovery fails clearly when pvesh refuses, and when the Proxmox tools are not there at all', async () => {
    node.failPvesh('fake pvesh: refused')
    const refused = parseProxmoxDiscoverOutput((await runScript(PVE_DISCOVER_SCRIPT, node.env)).stdout, { hostId: 'h' })
    expect(refused).toMatchObject({ ok: false, error: { section: 'cluster-resources', message: expect.stringMatching(/exit 255: fake pvesh: refused.*only as root/) } })
    const plain = parseProxmoxDiscoverOutput((await runScript(PVE_DISCOVER_SCRIPT, { ...node.env, PATH: '/usr/bin:/bin' })).stdout, { hostId: 'h' })
    expect(plain).toMatchObject({ ok: false, error: { section: 'pveversion', message: expect.stringContaining('is this a Proxmox VE node?') } })
  })
})
