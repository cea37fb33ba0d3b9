import { describe, expect, it } from 'vitest'
import { DISCOVER_COMMAND, DISCOVER_SCRIPT } from '../../../../src-main/hosts/libvirt/discover-script'
import { parseDiscoverOutput } from '../../../../src-main/hosts/libvirt/parse/discover-output'
import { parseDomblkinfo, parseHumanBytes, parsePoolList, parsePoolXml, parseVolList } from '../../../../src-main/hosts/libvirt/parse/storage'
import { poolSharing } from '../../../../src-main/hosts/libvirt/storage'
import { fixture, ok } from './fixture'

const MiB = 2 ** 20
const GiB = 2 ** 30

describe('the discover script reads storage read-only, by UUID', () => {
  it('lists pools by UUID (checked to be hex and dashes), volumes of active pools only, and each domain\'s block sizes', () => {
    expect(DISCOVER_SCRIPT).toContain('case $u in *[!0-9a-f-]*) continue;; esac')
    expect(DISCOVER_SCRIPT).toContain('pool-dumpxml $u')
    expect(DISCOVER_SCRIPT).toContain('vol-list --pool $u --details')
    expect(DISCOVER_SCRIPT).toContain('domblkinfo --all --domain $u')
    // A hung NFS server must not stall discovery: df is bounded.
    expect(DISCOVER_SCRIPT).toContain('timeout 10 df -P -T -B1')
    // Nothing that changes a pool: no refresh, build, start or volume commands.
    expect(DISCOVER_SCRIPT).not.toMatch(/pool-(refresh|build|start|destroy|define|create|delete)|vol-(create|delete|wipe|resize|upload)/)
    expect(DISCOVER_COMMAND.startsWith("sh -c '")).toBe(true)
  })
})

describe('virsh storage tables (real lab output, libvirt 9.0)', () => {
  const out = fixture('virtpilot-lab/discover-storage-h1.txt')
  const section = (name: string) => {
    const begin = out.indexOf(`BEGIN ${name}\n`)
    const body = out.slice(out.indexOf('\n', begin) + 1)
    return body.slice(0, body.indexOf('\n@@VP '))
  }

  it('pool-list --all --details: state, autostart, persistence by name; also without a header (virsh -q) and for inactive pools', () => {
    const rows = ok(parsePoolList(section('pool-list')))
    expect([...rows.values()]).toEqual([
      { name: 'vplab-local', state: 'running', autostart: false, persistent: true },
      { name: 'vplab-lvm', state: 'running', autostart: false, persistent: true },
    ])
    // virsh -q prints no header; an inactive pool has no sizes; a name may hold spaces.
    const quiet = ok(parsePoolList(' images pool   running   yes   yes   914.25 GiB   760.63 GiB   153.63 GiB\n vmstore        inactive  no    yes   -            -            -\n'))
    expect([...quiet.values()]).toEqual([
      { name: 'images pool', state: 'running', autostart: true, persistent: true },
      { name: 'vmstore', state: 'inactive', autostart: false, persistent: true },
    ])
  })

  it('vol-list --details: name, path, type and sizes (two decimals of virsh\'s units), with the header or without (-q)', () => {
    const uuid = /BEGIN volumes (\S+)/.exec(out)![1]!
    expect(ok(parseVolList(section(`volumes ${uuid}`)))).toEqual([
      { name: 'data.qcow2', path: '/var/lib/libvirt/images/data.qcow2', type: 'file', capacityBytes: 64 * MiB, allocationBytes: 196 * 1024 },
    ])
    expect(ok(parseVolList(' my disk.img     /var/lib/libvirt/images/my disk.img   file   20.00 GiB   585.61 MiB\n'))).toEqual([
      { name: 'my disk.img', path: '/var/lib/libvirt/images/my disk.img', type: 'file', capacityBytes: 20 * GiB, allocationBytes: Math.round(585.61 * MiB) },
    ])
    const bad = parseVolList(' x   /p   file   twelve GiB   1.00 B\n')
    expect(bad.ok && bad.warnings).toHaveLength(1)
  })

  it('domblkinfo --all: capacity, allocation, physical in bytes; an empty drive is - throughout', () => {
    const uuid = /BEGIN domblkinfo (\S+)/.exec(out)![1]!
    expect(ok(parseDomblkinfo(section(`domblkinfo ${uuid}`)))).toEqual([
      { target: 'vda', capacityBytes: 16 * MiB, allocationBytes: 200704, physicalBytes: 196616 },
      { target: 'vdb', capacityBytes: 64 * MiB, allocationBytes: 200704, physicalBytes: 196616 },
    ])
    const withCdrom = ' Target   Capacity      Allocation    Physical\n-----------------------------------------------\n vda      21474836480   2265751552    2265845760\n hdc      -             -             -\n'
    expect(ok(parseDomblkinfo(withCdrom))).toEqual([
      { target: 'vda', capacityBytes: 21474836480, allocationBytes: 2265751552, physicalBytes: 2265845760 },
      { target: 'hdc', capacityBytes: undefined, allocationBytes: undefined, physicalBytes: undefined },
    ])
  })

  it('virsh units: B to EiB, refusing anything else', () => {
    expect(parseHumanBytes('1.82', 'TiB')).toBe(Math.round(1.82 * 2 ** 40))
    expect(parseHumanBytes('0.00', 'B')).toBe(0)
    expect(parseHumanBytes('914,78', 'GiB')).toBeUndefined()
    expect(parseHumanBytes('12', 'GB')).toBeUndefined()
    expect(parseHumanBytes('-1', 'B')).toBeUndefined()
  })
})

describe('pool-dumpxml of every pool type (libvirt\'s own formatter output, and the lab)', () => {
  it.each([
    ['libvirt_pool-netfs.xml', { name: 'nfsimages', type: 'netfs', targetPath: '/mnt', source: { hosts: ['localhost'], dir: '/var/lib/libvirt/images', format: 'nfs' } }, 'shared'],
    ['libvirt_pool-iscsi.xml', { name: 'virtimages', type: 'iscsi', targetPath: '/dev/disk/by-path', source: { hosts: ['iscsi.example.com'], devices: ['demo-target'] } }, 'shared'],
    ['libvirt_pool-rbd.xml', { name: 'ceph', type: 'rbd', targetPath: undefined, source: { hosts: ['localhost:6789', 'localhost:6790'], name: 'rbd' } }, 'shared'],
    ['libvirt_pool-zfs.xml', { name: 'zfs', type: 'zfs', targetPath: '/dev/zvol/testpool', source: { name: 'testpool' } }, 'local'],
    ['libvirt_pool-logical.xml', { name: 'HostVG', type: 'logical', targetPath: '/dev/HostVG', source: { name: 'HostVG', format: 'lvm2' } }, 'local'],
  ] as const)('%s', (file, expected, sharing) => {
    const xml = ok(parsePoolXml(fixture(`pool_xml/${file}`)))
    expect(xml).toMatchObject(expected)
    expect(poolSharing(xml.type, undefined).sharing).toBe(sharing)
  })

  it('a dir pool is shared only on a network filesystem; a broken document is an error, not a pool', () => {
    expect(poolSharing('dir', { type: 'nfs4' })).toMatchObject({ sharing: 'shared', reason: 'its folder is on a nfs4 filesystem' })
    expect(poolSharing('dir', { type: 'ext4' }).sharing).toBe('local')
    expect(parsePoolXml("<pool type='dir'><name>x</name>").ok).toBe(false)
    expect(parsePoolXml("<pool type='dir'><name>x</name><uuid>u</uuid><capacity unit='bytes'>lots</capacity></pool>").ok).toBe(false)
    expect(parsePoolXml('<domain/>').ok).toBe(false)
  })
})

describe('storage of a real lab host from its discovery (dir pool, logical pool, a guest with a disk in each place)', () => {
  const t = 1_765_000_000_000
  const d = ok(parseDiscoverOutput(fixture('virtpilot-lab/discover-storage-h1.txt'), { hostId: 'h1', t }))
  const s = d.storage

  it('reads both pools: the dir pool with the filesystem\'s fresh figures (df of the bind mount\'s device), the logical pool with its own', () => {
    expect(d.problems).toEqual([])
    expect(s).toMatchObject({ hostId: 'h1', t, bootId: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    const [dir, lvm] = s.pools
    expect(dir).toMatchObject({ name: 'vplab-local', type: 'dir', active: true, autostart: false, sharing: 'local', figuresFrom: 'filesystem', targetPath: '/var/lib/libvirt/images', filesystem: { type: 'ext4', mountPoint: '/var/lib/libvirt' }, devices: ['vda'] })
    expect(dir!.capacityBytes).toBeGreaterThan(100 * GiB)
    expect(dir!.capacityBytes).toBeGreaterThanOrEqual(dir!.allocationBytes)
    expect(dir!.volumes).toEqual([{ name: 'data.qcow2', path: '/var/lib/libvirt/images/data.qcow2', type: 'file', capacityBytes: 64 * MiB, allocationBytes: 196 * 1024 }])
    expect(lvm).toMatchObject({ name: 'vplab-lvm', type: 'logical', active: true, sharing: 'local', figuresFrom: 'pool', capacityBytes: 60 * MiB, allocationBytes: 0, availableBytes: 60 * MiB, source: 'vplab_h1', volumes: [] })
    // The first discovery has nothing to measure latency against.
    expect(dir!.io).toBeUndefined()
  })

  it('maps each disk to its pool and sizes: vda in the shared guests folder (no pool), vdb a volume of the dir pool', () => {
    const disks = s.disks.map((x) => [x.target, x.poolId === undefined ? null : s.pools.find((p) => p.id === x.poolId)!.name, x.volume ?? null, x.capacityBytes, x.format, x.bus])
    expect(disks).toEqual([
      ['vda', null, null, 16 * MiB, 'qcow2', 'virtio'],
      ['vdb', 'vplab-local', 'data.qcow2', 64 * MiB, 'qcow2', 'virtio'],
    ])
    expect(s.disks[1]).toMatchObject({ allocationBytes: 200704, physicalBytes: 196616, sourceType: 'file', source: '/var/lib/libvirt/images/data.qcow2', readonly: false, shareable: false })
  })

  it('keeps the filesystems (bind mounts with their folder), marking those that hold VM storage', () => {
    const held = s.mounts.filter((m) => m.holdsVmStorage).map((m) => [m.mountPoint, m.root, m.fsType])
    expect(held).toEqual([
      ['/', '/', 'ext4'],
      ['/var/lib/libvirt', '/tmp/virtpilot-lab/hosts/h1/var-lib-libvirt', 'ext4'],
    ])
    expect(s.mounts.find((m) => m.mountPoint === '/var/lib/libvirt')!.totalBytes).toBe(s.mounts.find((m) => m.mountPoint === '/')!.totalBytes)
    expect(s.mounts.some((m) => m.fsType === 'proc' || m.fsType === 'cgroup')).toBe(false)
  })

  it('measures pool latency between two discoveries from the devices\' diskstats', () => {
    const text = fixture('virtpilot-lab/discover-storage-h1.txt')
    // The same host 300 s later: vda did 3000 more reads taking 9000 ms and 600 writes taking 30000 ms, busy 240 s.
    const vda = / 254 {7}0 vda (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) /.exec(text)!
    const n = vda.slice(1).map(Number)
    const later = text.replace(vda[0], ` 254       0 vda ${n[0]! + 3000} ${n[1]} ${n[2]} ${n[3]! + 9000} ${n[4]! + 600} ${n[5]} ${n[6]} ${n[7]! + 30000} ${n[8]} ${n[9]! + 240000} `)
    const second = ok(parseDiscoverOutput(later, { hostId: 'h1', t: t + 300_000, ...(d.diskstats ? { previousDiskstats: d.diskstats } : {}) }))
    expect(second.storage.pools[0]!.io).toEqual({ devices: ['vda'], windowSeconds: 300, readsPerSecond: 10, writesPerSecond: 2, readMsPerOp: 3, writeMsPerOp: 50, busyPct: 80 })
  })

  it('a host without the storage driver still gives disks and filesystems, saying why there are no pools', () => {
    const text = fixture('virtpilot-lab/discover-storage-h1.txt')
    const nonce = /@@VP (\S+) START/.exec(text)![1]!
    const from = text.indexOf(`@@VP ${nonce} BEGIN pool-list\n`)
    const endMarker = `@@VP ${nonce} END pool-list 0\n`
    const to = text.indexOf(endMarker) + endMarker.length
    const failedList = `@@VP ${nonce} BEGIN pool-list\n\n@@VP ${nonce} END pool-list 1\n@@VP ${nonce} BEGIN pool-list.stderr\nerror: this function is not supported by the connection driver: virConnectListAllStoragePools\n@@VP ${nonce} END pool-list.stderr 0\n`
    const broken = text.slice(0, from) + failedList + text.slice(to)
    const r = ok(parseDiscoverOutput(broken, { hostId: 'h1' }))
    expect(r.problems).toEqual([{ section: 'pool-list', message: 'exit 1: error: this function is not supported by the connection driver: virConnectListAllStoragePools' }])
    expect(r.storage.disks).toHaveLength(2)
    expect(r.inventory.vms).toHaveLength(1)
  })
})
