import type { ClusterFacts, History, HostStorage, PoolSample, Snapshot, StoragePool, StorageVolume, VmDiskStorage } from '../../../shared/model'
import { demoFacts } from '../../../src-main/hosts/demo/facts'
import { loadHourly500, seeded, traceCluster } from '../../unit/engine/support/trace-cluster'

const HOUR = 3_600_000
const STEP = 300_000
const DAY = 24 * HOUR
const GiB = 2 ** 30
const TiB = 2 ** 40
/** Hosts per shared NFS export (a large lab has several, each mounted by a rack of hosts). */
const RACK = 10

export interface EngineFleet {
  name: string
  now: number
  snapshot: Snapshot
  history: History
  discovered: ClusterFacts[]
  storage: { poolHistory: PoolSample[]; linkSpeeds: [] }
}

/**
 * A fleet as the app hands it to the engine: Bitbrains VMs drawn onto identical hosts
 * (traceCluster: 2:1 vCPUs, memory 80 % allocated), their last 7 days at 5 minutes (each
 * hourly mean spread over its hour with a deterministic ±10 % wobble, the store's rollup step),
 * and discovery facts copied round-robin from the demo's (made-up, documented) hosts and VMs:
 * kernel settings, device models, a local dir pool per host and one NFS pool per rack of
 * hosts holding the disks of the demo's shared-storage VM families, with 14 days of pool figures.
 */
export function engineFleet(hosts: number, vms: number, seed = hosts): EngineFleet {
  const at = Date.UTC(2013, 6, 24, 16)
  const c = traceCluster(loadHourly500(), { hosts, vms, seed, at })
  const rnd = seeded(seed * 7919)
  const from = at - 7 * DAY
  const history: History = { vms: {} }
  for (const vm of c.snapshot.vms) {
    const h = c.history.vms[vm.id]!
    const out = { t: [] as number[], cpuUsedCores: [] as number[], memUsedMiB: [] as number[] }
    for (let i = 0; i < h.t.length; i++) {
      if (h.t[i]! < from) continue
      for (let k = 0; k < HOUR / STEP; k++) {
        const t = h.t[i]! + k * STEP
        if (t >= at) break
        const w = 0.9 + 0.2 * rnd()
        out.t.push(t)
        out.cpuUsedCores.push(Math.min(vm.allocation.vcpus, h.cpuUsedCores[i]! * w))
        out.memUsedMiB.push(Math.min(vm.allocation.memoryMiB, h.memUsedMiB[i]!))
      }
    }
    history.vms[vm.id] = out
  }

  const demo = demoFacts(at)
  const hostTemplates = Object.values(demo.hosts)
  const vmTemplates = Object.values(demo.vms)
  const sharedFamilies = new Set(['bb001', 'bb124', 'bb287', 'bb392', 'bb421'])
  const facts: ClusterFacts = { hosts: {}, vms: {}, storage: {} }
  c.snapshot.hosts.forEach((host, i) => {
    const t = structuredClone(hostTemplates[i % hostTemplates.length]!)
    const threads = host.cpu.threads
    const half = threads / 2
    facts.hosts[host.id] = {
      ...t, hostId: host.id, memoryMiB: host.memoryMiB, logicalCpus: threads,
      numaNodes: [0, 1].map((n) => ({ id: n, cpus: Array.from({ length: half }, (_, k) => n * half + k), memoryMiB: host.memoryMiB / 2 })),
      cpuGovernors: { [Object.keys(t.cpuGovernors)[0] ?? 'performance']: threads },
    }
  })
  const sharedOf = (vmIndex: number) => sharedFamilies.has(vmTemplates[vmIndex % vmTemplates.length]!.name.slice(0, 5))
  const volumes = new Map<string, StorageVolume>()
  c.snapshot.vms.forEach((vm, j) => {
    const t = vmTemplates[j % vmTemplates.length]!
    const mac = `52:54:00:${((j >> 16) & 255).toString(16).padStart(2, '0')}:${((j >> 8) & 255).toString(16).padStart(2, '0')}:${(j & 255).toString(16).padStart(2, '0')}`
    facts.vms[vm.id] = { ...structuredClone(t), vmId: vm.id, name: vm.name, hostId: vm.hostId, vcpus: vm.allocation.vcpus, memoryMiB: vm.allocation.memoryMiB, maxMemoryMiB: vm.allocation.memoryMiB, nics: t.nics.map((n) => ({ ...n, mac })) }
    const capacity = (40 + (j % 7) * 20) * GiB
    const dir = sharedOf(j) ? '/var/lib/libvirt/nfs' : '/var/lib/libvirt/images'
    volumes.set(vm.id, { name: `${vm.name}.qcow2`, path: `${dir}/${vm.name}.qcow2`, type: 'file', capacityBytes: capacity, allocationBytes: Math.round(capacity * (0.3 + 0.6 * rnd())), format: 'qcow2' })
  })
  const rackOf = (hostIndex: number) => Math.floor(hostIndex / RACK)
  const hostIndex = new Map(c.snapshot.hosts.map((h, i) => [h.id, i]))
  const nfsVolumes = new Map<number, StorageVolume[]>()
  c.snapshot.vms.forEach((vm, j) => {
    if (!sharedOf(j)) return
    const r = rackOf(hostIndex.get(vm.hostId)!)
    nfsVolumes.set(r, [...(nfsVolumes.get(r) ?? []), volumes.get(vm.id)!])
  })
  const poolHistory: PoolSample[] = []
  c.snapshot.hosts.forEach((host, i) => {
    const mine = c.snapshot.vms.map((vm, j) => ({ vm, j })).filter(({ vm }) => vm.hostId === host.id)
    const local = mine.filter(({ j }) => !sharedOf(j)).map(({ vm }) => volumes.get(vm.id)!)
    const localCapacity = 2 * TiB
    const localUsed = local.reduce((a, v) => a + v.allocationBytes, 0) + 100 * GiB
    const nfsId = `nfs-${rackOf(i)}`
    const nfs = nfsVolumes.get(rackOf(i)) ?? []
    const nfsCapacity = 16 * TiB
    const nfsUsed = nfs.reduce((a, v) => a + v.allocationBytes, 0) + TiB
    const pools: StoragePool[] = [
      {
        hostId: host.id, id: `local-${host.id}`, name: 'default', type: 'dir', active: true, autostart: true, sharing: 'local', sharingReason: 'pool type dir on a local ext4 filesystem',
        capacityBytes: localCapacity, allocationBytes: localUsed, availableBytes: localCapacity - localUsed, figuresFrom: 'filesystem', targetPath: '/var/lib/libvirt/images',
        filesystem: { type: 'ext4', source: '/dev/nvme0n1p1', mountPoint: '/' }, devices: ['nvme0n1'], volumes: local,
        io: { devices: ['nvme0n1'], windowSeconds: 300, readsPerSecond: 180, writesPerSecond: 95, readMsPerOp: 0.4, writeMsPerOp: 0.9, busyPct: 12 },
      },
      {
        hostId: host.id, id: nfsId, name: 'nfs-vms', type: 'netfs', active: true, autostart: true, sharing: 'shared', sharingReason: 'pool type netfs (network filesystem)',
        capacityBytes: nfsCapacity, allocationBytes: nfsUsed, availableBytes: nfsCapacity - nfsUsed, figuresFrom: 'filesystem', targetPath: '/var/lib/libvirt/nfs',
        source: `10.0.${rackOf(i)}.5:/export/vms`, filesystem: { type: 'nfs4', source: `10.0.${rackOf(i)}.5:/export/vms`, mountPoint: '/var/lib/libvirt/nfs' }, devices: [], volumes: nfs,
      },
    ]
    const disks: VmDiskStorage[] = mine.map(({ vm, j }) => {
      const vol = volumes.get(vm.id)!
      const shared = sharedOf(j)
      return {
        vmId: vm.id, target: 'vda', device: 'disk', bus: 'virtio', sourceType: 'file', source: vol.path!, format: 'qcow2', cache: 'none', io: 'native', readonly: false, shareable: false,
        poolId: shared ? nfsId : `local-${host.id}`, volume: vol.name, capacityBytes: vol.capacityBytes, allocationBytes: vol.allocationBytes, physicalBytes: vol.allocationBytes + 2 * 2 ** 20,
      }
    })
    const mounts = [
      { mountPoint: '/', fsType: 'ext4', source: '/dev/nvme0n1p1', device: '259:1', root: '/', totalBytes: localCapacity, usedBytes: localUsed, availableBytes: localCapacity - localUsed },
      { mountPoint: '/var/lib/libvirt/nfs', fsType: 'nfs4', source: `10.0.${rackOf(i)}.5:/export/vms`, device: '0:52', root: '/', totalBytes: nfsCapacity, usedBytes: nfsUsed, availableBytes: nfsCapacity - nfsUsed },
    ]
    const storage: HostStorage = { hostId: host.id, t: at, bootId: `boot-${host.id}`, pools, mounts, disks }
    facts.storage![host.id] = storage
    // Pool figures every 6 hours for 14 days, growing 4 GiB a day toward today's.
    for (const p of pools)
      for (let d = 14 * 4; d >= 0; d--) {
        const grown = p.allocationBytes - d * GiB
        poolHistory.push({ hostId: host.id, poolId: p.id, t: at - d * 6 * HOUR, capacityBytes: p.capacityBytes, allocationBytes: grown, availableBytes: p.capacityBytes - grown, volumeCapacityBytes: (p.volumes ?? []).reduce((a, v) => a + v.capacityBytes, 0) })
      }
  })
  return { name: `${hosts}x${vms}`, now: at, snapshot: c.snapshot, history, discovered: [facts], storage: { poolHistory, linkSpeeds: [] } }
}
