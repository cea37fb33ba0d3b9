import type { ClusterFacts } from '../../shared/model'

/** Facts of several hosts (one discovery each) as one cluster. */
export function mergeFacts(parts: readonly ClusterFacts[]): ClusterFacts {
  const out: ClusterFacts = { hosts: {}, vms: {} }
  for (const p of parts) {
    Object.assign(out.hosts, p.hosts)
    Object.assign(out.vms, p.vms)
  }
  return out
}
