import { instanceAddress, type FleetHost } from './fleet'

/** What VirtPilot calls an SSH host: its id, name, target as typed and address after ~/.ssh/config. */
export interface SshHostNames {
  id: string
  names: readonly string[]
}

/** The user@ and :port of a target, and a qemu+ssh:// wrapper, taken off: `root@kvm1:2222` -> `kvm1`. */
export function targetHost(target: string): string {
  let t = target.trim()
  const scheme = t.indexOf('://')
  if (scheme >= 0) t = t.slice(scheme + 3).split('/')[0] ?? ''
  const at = t.lastIndexOf('@')
  if (at >= 0) t = t.slice(at + 1)
  return instanceAddress(t)
}

/**
 * Which store host each SSH host is: a store host matches when its key (the admin's mapping, or
 * the instance address), its nodename or one of its instances' addresses equals one of the SSH
 * host's names, compared without case; a Proxmox node also by the short name of an SSH host's
 * name (Proxmox names a node by its hostname's first label). A name several store hosts share
 * (two clusters' `pve1`) matches none of them. Returns SSH host id -> store host key.
 */
export function matchHosts(fleet: readonly FleetHost[], ssh: readonly SshHostNames[]): Map<string, string> {
  const byAlias = new Map<string, string>()
  const shared = new Set<string>()
  for (const h of fleet) {
    for (const alias of [h.key, h.nodename, ...h.nodeInstances.map(instanceAddress), ...h.nodeInstances]) {
      if (alias === undefined) continue
      const a = alias.toLowerCase()
      if (byAlias.has(a) && byAlias.get(a) !== h.key) shared.add(a)
      else byAlias.set(a, h.key)
    }
  }
  // A name two store hosts go by (node pve1 of two labs' clusters) matches neither: the admin's host names say which.
  for (const a of shared) byAlias.delete(a)
  const byNode = new Map(fleet.flatMap((h) => (h.pveNode !== undefined ? [[h.pveNode.toLowerCase(), h.key] as const] : [])))
  const shortName = (name: string) => {
    const host = targetHost(name).toLowerCase()
    return /^[\d.]+$/.test(host) || host.includes(':') ? undefined : host.split('.')[0]
  }
  const out = new Map<string, string>()
  const taken = new Set<string>()
  for (const host of ssh) {
    for (const name of host.names) {
      const short = shortName(name)
      const key = byAlias.get(name.toLowerCase()) ?? byAlias.get(targetHost(name).toLowerCase()) ?? (short !== undefined ? byNode.get(short) : undefined)
      if (key !== undefined && !taken.has(key)) {
        out.set(host.id, key)
        taken.add(key)
        break
      }
    }
  }
  return out
}
