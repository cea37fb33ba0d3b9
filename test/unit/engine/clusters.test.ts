import { describe, expect, it } from 'vitest'
import { withDefaults } from '../../../shared/engine/options'
import { validatePlan } from '../../../shared/engine/validate'
import { formatMessage } from '../../../shared/i18n'
import type { Host, HostCluster } from '../../../shared/model'
import { host, snapshot, T0, usage, vm } from './support/cluster'
import { migrations, recommendChecked } from './support/plan'

// Two labs' Proxmox VE clusters, both called `pve`, read through two sources: same name, two clusters.
const labA: HostCluster = { id: 'prometheus:http://a:9090|pve:job=pve-a|pve', name: 'pve', via: 'http://a:9090 (job="pve-a")' }
const labB: HostCluster = { id: 'prometheus:http://a:9090|pve:job=pve-b|pve', name: 'pve', via: 'http://a:9090 (job="pve-b")' }
const inCluster = (h: Host, cluster: HostCluster): Host => ({ ...h, source: 'proxmox', cluster })

describe('a VM moves only within its cluster', () => {
  const hosts = [inCluster(host('a1', { threads: 8 }), labA), inCluster(host('a2', { threads: 8 }), labA), inCluster(host('b1', { threads: 8 }), labB), inCluster(host('b2', { threads: 8 }), labB)]
  // Lab B's first node is hot, its second busy too; lab A idles.
  const vms = [vm('b-hot', 'b1', { vcpus: 4 }), vm('b-warm', 'b1', { vcpus: 4 }), vm('b-other', 'b2', { vcpus: 6 }), vm('a-idle', 'a1', { vcpus: 1 })]
  const samples = [usage(vms[0]!, 3.8, 2048), usage(vms[1]!, 3.5, 2048), usage(vms[2]!, 5.5, 2048), usage(vms[3]!, 0.1, 512)]

  it('balancing never sends a VM into the other same-named cluster, though it idles', () => {
    const out = recommendChecked({ history: { vms: {} }, now: T0, seed: 1, snapshot: snapshot(hosts, vms, samples) })
    expect(migrations(out).filter((m) => m.from[0] !== m.to[0])).toEqual([])
    // One cluster, the same figures: lab A's idle hosts take lab B's load.
    const merged = recommendChecked({ history: { vms: {} }, now: T0, seed: 1, snapshot: snapshot(hosts.map((h) => ({ ...h, cluster: labA })), vms, samples) })
    expect(migrations(merged).some((m) => m.from.startsWith('b') && m.to.startsWith('a'))).toBe(true)
  })

  it('libvirt hosts and a Proxmox cluster are two clusters too', () => {
    const mixed = [host('kvm1', { threads: 8 }), inCluster(host('b1', { threads: 8 }), labB)]
    const out = recommendChecked({ history: { vms: {} }, now: T0, seed: 1, snapshot: snapshot(mixed, vms.slice(0, 2), samples.slice(0, 2)) })
    expect(migrations(out)).toEqual([])
    const plain = recommendChecked({ history: { vms: {} }, now: T0, seed: 1, snapshot: snapshot(mixed.map(({ cluster: _c, ...h }) => h), vms.slice(0, 2), samples.slice(0, 2)) })
    expect(migrations(plain).map((m) => m.to)).toEqual(['kvm1'])
  })

  it('a plan that crosses clusters is refused, naming both clusters and where each is read', () => {
    const snap = snapshot(hosts, vms)
    const check = validatePlan(snap, [{ action: { kind: 'migrate', vm: 'b-hot', from: 'b1', to: 'a2', live: true }, rollback: { kind: 'migrate', vm: 'b-hot', from: 'a2', to: 'b1', live: true } }], withDefaults(), { vms: {} }, T0)
    const v = check.violations.find((x) => x.code === 'other-cluster')!
    expect(check.ok).toBe(false)
    expect(v.message).toBe('b-hot cannot move from b1 (pve, http://a:9090 (job="pve-b")) to a2 (pve, http://a:9090 (job="pve-a")): a VM moves only within its cluster')
    expect(formatMessage(v.messageRef!, 'zh-CN')).toMatch(/^b-hot 不能从 b1（pve, http:\/\/a:9090 \(job="pve-b"\)）迁移到 a2/)
    const within = validatePlan(snap, [{ action: { kind: 'migrate', vm: 'b-hot', from: 'b1', to: 'b2', live: true }, rollback: { kind: 'migrate', vm: 'b-hot', from: 'b2', to: 'b1', live: true } }], withDefaults(), { vms: {} }, T0)
    expect(within.violations.filter((x) => x.code === 'other-cluster')).toEqual([])
  })
})
