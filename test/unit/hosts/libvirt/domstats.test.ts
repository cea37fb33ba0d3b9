import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nameFromHost } from '../../../../shared/text/control'
import { parseDomstats, vmStateFromLibvirt } from '../../../../src-main/hosts/libvirt/parse/domstats'
import { fixture, ok } from './fixture'

describe('parseDomstats on real virsh output', () => {
  it('reads a running and a shut-off domain (kerub fixture)', () => {
    const [running, off] = ok(parseDomstats(fixture('virsh_domstats/kerub_domstats_2domains_running_and_shutoff.txt')))
    expect(running!.name).toBe('kerub.hosts.opensuse13')
    expect(running!.state).toBe('running')
    expect(running!.cpuTimeNs).toBe(18957473241)
    expect(running!.balloon).toMatchObject({ currentKiB: 1048576, maximumKiB: 1048576 })
    expect(running!.vcpuCurrent).toBe(2)
    expect(running!.vcpus.map((v) => v.timeNs)).toEqual([13470000000, 2940000000])
    expect(running!.net).toEqual([
      { index: 0, name: 'vnet0', rxBytes: 90554, rxPkts: 1587, rxErrs: 0, rxDrop: 0, txBytes: 21649, txPkts: 251, txErrs: 0, txDrop: 0 },
    ])
    expect(running!.block[0]).toMatchObject({ name: 'sda', path: '/var/lib/libvirt/images/kerub.hosts.opensuse13.qcow2', rdReqs: 3028, rdBytes: 97718784, wrReqs: 358, wrBytes: 20819968, flReqs: 26, capacity: 8589934592 })

    expect(off!.name).toBe('kerub.hosts.fedora20')
    expect(off!.stateCode).toBe(5)
    expect(off!.state).toBe('shutoff')
    expect(off!.cpuTimeNs).toBeUndefined()
    expect(off!.balloon.currentKiB).toBeUndefined()
    expect(off!.balloon.maximumKiB).toBe(1048576)
    expect(off!.block[0]).toMatchObject({ name: 'vda', rdBytes: 0, capacity: 12884901888 })
  })

  it('reads an 8-vCPU OpenStack VM with vcpu.N.wait (telegraf fixture)', () => {
    const [d] = ok(parseDomstats(fixture('virsh_domstats/telegraf-erasche_domstats_openstack_vm_8vcpu.txt')))
    expect(d!.name).toBe('os_e4aa2166-1fc2-40da-bc7b-bdee9d4b46e0')
    expect(d!.vcpus).toHaveLength(8)
    expect(d!.vcpus[5]).toEqual({ index: 5, state: 1, timeNs: 1777240000000, waitNs: 0 })
    expect(d!.net[0]!.name).toBe('tap59ebedbf-aa')
    expect(d!.block).toHaveLength(1)
  })

  it('reads two disks and counters beyond 2^32 (telegraf fixture)', () => {
    const [d] = ok(parseDomstats(fixture('virsh_domstats/telegraf-erasche_domstats_openstack_vm_2vcpu_2disks.txt')))
    expect(d!.cpuTimeNs).toBe(456175352624347)
    expect(d!.net[0]!.txBytes).toBe(2412227400358)
    expect(d!.block.map((b) => [b.name, b.rdBytes, b.wrBytes])).toEqual([
      ['vda', 1423333376, 32228062208],
      ['vdb', 14896106496, 6167621632],
    ])
  })

  it('reads names with quotes, spaces, ;, $(), backticks, non-ASCII and a fake header (real virsh 9.0, test driver)', () => {
    const names = ok(parseDomstats(fixture('virtpilot-lab/virsh-test-driver-odd-names-domstats.txt'))).map((d) => d.name)
    expect(names.sort()).toEqual(
      ["Domain: 'fake'", 'test', 'web 01; $(touch vp-pwned) `id` \'q\' "dq" ünïcødé 名前 \\n'].sort(),
    )
  })

  it('reads a live TCG guest from the lab, including libvirt 9 fields (cpu.haltpoll, vcpu.N.delay, balloon.rss)', () => {
    const text = fixture('virtpilot-lab/stats-h1-sample1.txt')
    const body = text.slice(text.indexOf('BEGIN domstats\n') + 'BEGIN domstats\n'.length, text.indexOf('\n@@VP', text.indexOf('BEGIN domstats')))
    const domains = ok(parseDomstats(body))
    expect(domains.map((d) => d.name)).toEqual(['h1-vm1', 'h1-vm2'])
    for (const d of domains) {
      expect(d.state).toBe('running')
      expect(d.vcpuCurrent).toBe(1)
      expect(d.vcpuMaximum).toBe(2)
      expect(d.vcpus[0]!.delayNs).toBeGreaterThan(0)
      expect(d.balloon.rssKiB).toBeGreaterThan(0)
      expect(d.block[0]!.name).toBe('vda')
    }
  })
})

describe('parseDomstats on bad output', () => {
  it('names the line and field of a non-numeric counter', () => {
    const r = parseDomstats("Domain: 'a'\n  state.state=1\n  cpu.time=12x\n")
    expect(r).toMatchObject({ ok: false, error: { section: 'domstats', line: 3, field: 'cpu.time' } })
  })
  it('rejects garbage lines with their line number', () => {
    const r = parseDomstats("Domain: 'a'\n  state.state=1\nerror: something broke\n")
    expect(r).toMatchObject({ ok: false, error: { line: 3 } })
  })
  it('rejects fields before any domain header', () => {
    expect(parseDomstats('  state.state=1\n')).toMatchObject({ ok: false, error: { field: 'state.state' } })
  })
  it('rejects a header without its closing quote and a domain printed twice', () => {
    expect(parseDomstats("Domain: 'a\n").ok).toBe(false)
    expect(parseDomstats("Domain: 'a'\nDomain: 'a'\n").ok).toBe(false)
  })
  it('keeps unknown text fields as warnings, not failures, and ignores prototype keys', () => {
    const r = parseDomstats("Domain: 'a'\n  state.state=1\n  dirtyrate.calc_status=0\n  iothread.0.poll-max-ns=x\n  constructor=1\n  balloon.toString=abc\n")
    const v = ok(r)
    expect(v[0]!.fields.get('iothread.0.poll-max-ns')).toBe('x')
    expect(r.ok && r.warnings.map((w) => w.field)).toEqual(['iothread.0.poll-max-ns', 'balloon.toString'])
  })
  it('parses empty output (no domains) as an empty list', () => {
    expect(ok(parseDomstats(''))).toEqual([])
    expect(ok(parseDomstats('\n\n'))).toEqual([])
  })
})

describe('vmStateFromLibvirt', () => {
  it('maps every virDomainState', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 99].map(vmStateFromLibvirt)).toEqual([
      'other', 'running', 'running', 'paused', 'running', 'shutoff', 'crashed', 'suspended', 'other',
    ])
  })
})

// libvirt rejects '\n' in names (and '/' for QEMU); everything else may appear.
const domainName = fc
  .string({ unit: fc.constantFrom('a', 'Z', '0', ' ', "'", '"', ';', '$', '(', ')', '`', '\\', '=', '.', ':', '\t', 'é', '名', '🙂', '@', 'Domain: ', '\r', '\u2028', '\u0085'), minLength: 1, maxLength: 24 })

describe('parseDomstats properties', () => {
  it('returns every domain name (control and line-break characters escaped) and counter as virsh prints them', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name: domainName, cpu: fc.nat(), rd: fc.nat(), running: fc.boolean() }), { selector: (d) => d.name, maxLength: 6 }),
        (doms) => {
          const text = doms
            .map((d) =>
              d.running
                ? `Domain: '${d.name}'\n  state.state=1\n  cpu.time=${d.cpu}\n  block.count=1\n  block.0.name=vda\n  block.0.path=/x/${d.name}\n  block.0.rd.bytes=${d.rd}\n\n`
                : `Domain: '${d.name}'\n  state.state=5\n  state.reason=2\n\n`,
            )
            .join('')
          const parsedDoms = ok(parseDomstats(text))
          expect(parsedDoms.map((d) => d.name)).toEqual(doms.map((d) => nameFromHost(d.name).name))
          parsedDoms.forEach((p, i) => {
            const d = doms[i]!
            expect(p.state).toBe(d.running ? 'running' : 'shutoff')
            expect(p.cpuTimeNs).toBe(d.running ? d.cpu : undefined)
            if (d.running) expect(p.block[0]).toMatchObject({ rdBytes: d.rd, path: `/x/${d.name}` })
          })
        },
      ),
    )
  })

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = parseDomstats(s)
      expect(typeof r.ok).toBe('boolean')
    }))
  })
})
