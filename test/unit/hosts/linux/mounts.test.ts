import { describe, expect, it } from 'vitest'
import { devicesIo, deviceOfPath, parseDmNames } from '../../../../src-main/hosts/linux/disk-latency'
import { mountFor, parseDf, parseMountinfo, unescapeMountField, withDfFigures } from '../../../../src-main/hosts/linux/parse/mounts'
import { parseDiskstats } from '../../../../src-main/hosts/linux/parse/procfs'
import { fixture, ok } from '../libvirt/fixture'

describe('filesystems: /proc/self/mountinfo and df', () => {
  it('reads devices, bind-mount folders and types, unescapes paths, leaves pseudo filesystems out', () => {
    const text = [
      '49 48 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '51 49 0:20 / /proc rw,relatime - proc proc rw',
      '75 49 254:0 /tmp/lab/h1/var-lib-libvirt /var/lib/libvirt rw,relatime shared:1 master:2 - ext4 /dev/vda rw',
      '90 49 0:52 / /mnt/my\\040vms rw,relatime - nfs4 10.0.0.5:/export/vms rw,vers=4.2',
      'garbage',
    ].join('\n')
    const r = parseMountinfo(text)
    expect(ok(r)).toEqual([
      { device: '254:0', root: '/', mountPoint: '/', fsType: 'ext4', source: '/dev/vda' },
      { device: '254:0', root: '/tmp/lab/h1/var-lib-libvirt', mountPoint: '/var/lib/libvirt', fsType: 'ext4', source: '/dev/vda' },
      { device: '0:52', root: '/', mountPoint: '/mnt/my vms', fsType: 'nfs4', source: '10.0.0.5:/export/vms' },
    ])
    expect(r.ok && r.warnings).toEqual([{ section: 'mountinfo', line: 5, message: 'not a mountinfo line: "garbage"' }])
    expect(unescapeMountField('a\\134b\\011c\\999')).toBe('a\\b\tc\\999')
  })

  it('df -P -T -B1 keeps mount points with spaces; bind mounts take their device\'s figures', () => {
    const df = ok(parseDf('Filesystem Type 1-blocks Used Available Capacity Mounted on\n/dev/vda ext4 1000 400 550 43% /\n10.0.0.5:/export/vms nfs4 8000 3000 5000 38% /mnt/my vms\n'))
    expect(df.map((r) => [r.mountPoint, r.totalBytes, r.usedBytes, r.availableBytes])).toEqual([['/', 1000, 400, 550], ['/mnt/my vms', 8000, 3000, 5000]])
    const mounts = withDfFigures(ok(parseMountinfo('1 0 254:0 / / rw - ext4 /dev/vda rw\n2 1 254:0 /srv/a /var/lib/libvirt rw - ext4 /dev/vda rw\n3 1 8:17 / /data rw - xfs /dev/sdb1 rw\n')), df)
    expect(mounts.map((m) => [m.mountPoint, m.totalBytes ?? null])).toEqual([['/', 1000], ['/var/lib/libvirt', 1000], ['/data', null]])
    expect(mountFor('/var/lib/libvirt/images/a.qcow2', mounts)!.mountPoint).toBe('/var/lib/libvirt')
    expect(mountFor('/var/lib/libvirtx/a', mounts)!.mountPoint).toBe('/')
  })
})

describe('block devices of a pool and their latency', () => {
  const stats = ok(parseDiskstats(fixture('proc/procfs_diskstats')))

  it('finds a device by path, and device-mapper volumes by their mapper name', () => {
    const dm = parseDmNames('/sys/block/dm-0/dm/name=vg--data-lv--vm\n/sys/block/dm-1/dm/name=other\n')
    expect(dm.get('vg--data-lv--vm')).toBe('dm-0')
    const withDm = [...stats, { ...stats[0]!, name: 'dm-0' }]
    expect(deviceOfPath('/dev/vg-data/lv-vm', withDm, dm)).toBe('dm-0')
    expect(deviceOfPath('/dev/mapper/vg--data-lv--vm', withDm, dm)).toBe('dm-0')
    expect(deviceOfPath('/dev/sda', stats, dm)).toBe('sda')
    expect(deviceOfPath('/srv/sda', stats, dm)).toBeUndefined()
  })

  it('computes r_await, w_await and %util as iostat does (sysstat\'s two real /proc snapshots, 31.17 s apart)', () => {
    const a = ok(parseDiskstats(fixture('sysstat/root1_proc/diskstats')))
    const b = ok(parseDiskstats(fixture('sysstat/root2_proc/diskstats')))
    const io = devicesIo({ t: 0, stats: a }, { t: 31_170, stats: b }, ['sdq'])!
    const p = a.find((d) => d.name === 'sdq')!
    const q = b.find((d) => d.name === 'sdq')!
    expect(io.readsPerSecond).toBeCloseTo((q.readsCompleted - p.readsCompleted) / 31.17, 6)
    expect(io.readMsPerOp).toBeCloseTo((q.msReading - p.msReading) / (q.readsCompleted - p.readsCompleted), 6)
    expect(io.busyPct).toBeCloseTo(Math.min(100, ((q.msDoingIo - p.msDoingIo) / 31_170) * 100), 6)
    expect(devicesIo({ t: 0, stats: a }, { t: 31_170, stats: b }, ['nope'])).toBeUndefined()
  })
})
