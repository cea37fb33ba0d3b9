import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2, { type ServerChannel } from 'ssh2'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { formatMessage } from '../../../shared/i18n'
import { VmOwners } from '../../../src-main/collect/vm-owners'
import { openStore } from '../../../src-main/store'
import { createServices } from '../../../src-main/services/services'
import { formatKnownHostLine } from '../../../src-main/ssh/known-hosts'
import { startSshServer, type TestSshServer } from '../support/ssh-server'
import { serveStatsSession } from '../support/stats-session'

// VM ids are libvirt UUIDs, the same on every host. A second host that reports a VM the first one
// runs (hostile, or a copy) must not take it over: its copy is left out and named as a problem.

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'outputs', 'virtpilot-lab')
const discover = readFileSync(join(fixtures, 'discover-h1.txt'), 'utf8')
const stats = readFileSync(join(fixtures, 'stats-h1-sample1.txt'), 'utf8')

let dir: string
const servers: TestSshServer[] = []

function answer(channel: ServerChannel, text: string): void {
  channel.write(text)
  channel.exit(0)
  channel.end()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-dups-'))
  mkdirSync(join(dir, '.ssh'))
  writeFileSync(join(dir, '.ssh', 'id_ed25519'), ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 })
  for (let i = 0; i < 2; i++) {
    servers.push(
      await startSshServer({
        authenticate: (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])),
        // Both hosts print the same two domains (same UUIDs): the second one is the impostor.
        exec: (command, channel) => {
          if (command.includes('pve-tools')) return answer(channel, 'pve-tools: no\n')
          if (command.includes('discover-1')) return answer(channel, discover)
          serveStatsSession(channel, { poll: stats })
        },
      }),
    )
  }
  writeFileSync(join(dir, '.ssh', 'known_hosts'), servers.map((s) => formatKnownHostLine('127.0.0.1', s.port, s.hostKeyBlob)).join(''))
})

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
  rmSync(dir, { recursive: true, force: true })
})

it('a second host reporting the first host\'s VM UUIDs gets them left out, with a problem naming them; the first keeps its history', { timeout: 120_000 }, async () => {
  const services = createServices({ transport: 'cli', dataFile: join(dir, 'virtpilot.db'), version: 'test', sshDir: join(dir, '.ssh'), unknownHostKeys: 'refuse', hostPollIntervalMs: 200, demo: 'off', log: () => {} })
  await services.start()
  try {
    const first = await services.hosts.add({ target: `admin@127.0.0.1:${servers[0]!.port}`, displayName: 'kvm1' })
    await services.hosts.whenPolled()
    const second = await services.hosts.add({ target: `admin@127.0.0.1:${servers[1]!.port}`, displayName: 'impostor' })
    await services.hosts.whenPolled()
    // Samples need two reads: wait for the second host's first snapshot.
    const deadline = Date.now() + 60_000
    while (services.cluster.snapshot().hosts.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const vms = services.cluster.snapshot().vms
    expect(vms.map((v) => v.hostId)).toEqual([first.id, first.id])
    const impostor = services.hosts.list().find((h) => h.id === second.id)!
    expect(impostor.error).toMatch(/reports 2 VM\(s\) that another host already reports with the same UUID; left out here: h1-vm1 \(fe124b0f-[0-9a-f-]+, on kvm1\)/)
    // Said in the admin's language too.
    expect(formatMessage(impostor.errorRef!, 'zh-CN')).toMatch(/^报告的 2 台虚拟机已由另一台宿主机以相同 UUID 报告过；此处不计入：h1-vm1（fe124b0f-[0-9a-f-]+，在 kvm1 上）/)
    const data = openStore(join(dir, 'virtpilot.db'))
    expect([...new Set(data.inventory.current().vms.map((v) => v.hostId))]).toEqual([first.id])
    data.close()
  } finally {
    await services.stop()
  }
})

it('a VM that left its owner (a migration) is taken by the host that reports it, which is told to look again', () => {
  const asked: string[][] = []
  const owners = new VmOwners(15 * 60_000, (hosts) => asked.push(hosts))
  const vm = { id: 'u1', name: 'web', hostId: 'a', state: 'running' as const, allocation: { vcpus: 1, maxVcpus: 1, memoryMiB: 512, maxMemoryMiB: 512 }, tags: [] }
  const inv = (host: string, vms: (typeof vm)[]) => ({ hosts: [], vms: vms.map((v) => ({ ...v, hostId: host })) })
  expect(owners.admit('a', inv('a', [vm]), 0).duplicates).toEqual([])
  expect(owners.admit('b', inv('b', [vm]), 1000).duplicates.map((d) => d.owner)).toEqual(['a'])
  expect(owners.admit('a', inv('a', []), 2000).duplicates).toEqual([])
  expect(asked).toEqual([['b']])
  expect(owners.admit('b', inv('b', [vm]), 3000).inventory.vms.map((v) => v.id)).toEqual(['u1'])
  // An owner silent for longer than the TTL lets the VM go too.
  expect(owners.admit('a', inv('a', [vm]), 3000 + 14 * 60_000).inventory.vms).toEqual([])
  expect(owners.admit('a', inv('a', [vm]), 3000 + 16 * 60_000).inventory.vms.map((v) => v.id)).toEqual(['u1'])
})
