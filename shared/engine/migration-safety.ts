import { msg, sentences } from '../i18n'
import type { MessageRef } from '../model/recommendation'
import type { ClusterFacts } from '../model/facts'

/**
 * What a live migration of a VM needs beyond `virsh migrate --live`, known from discovery before
 * anything runs. libvirt refuses to live-migrate a writable disk the host caches (cache other than
 * none or directsync) unless told `--unsafe`: dirty host-cached blocks could be lost on the way.
 * A disk that is a file or a block device of the source host must be visible at the same path on
 * the destination (shared storage); copying storage during the migration is not done here.
 */
export interface MigrationNeeds {
  /** Host-cached writable disks, e.g. "vda (cache=writeback)": the migration needs --unsafe. */
  unsafe: string[]
  /** Writable disks that are files or block devices of the source host, e.g. "vda (file)". */
  localDisks: string[]
}

/** Null when discovery knows nothing of the VM (the demo cluster, a VM not yet discovered). */
export function migrationNeeds(facts: ClusterFacts | undefined, vmId: string): MigrationNeeds | null {
  const vm = facts?.vms[vmId]
  if (!vm) return null
  const unsafe: string[] = []
  const localDisks: string[] = []
  for (const d of vm.disks) {
    if (d.device !== 'disk' || d.readonly) continue
    const hostPath = d.sourceType !== 'network'
    if (hostPath && d.cache !== 'none' && d.cache !== 'directsync') unsafe.push(`${d.target} (cache=${d.cache ?? 'default'})`)
    if (hostPath) localDisks.push(`${d.target} (${d.sourceType})`)
  }
  return { unsafe, localDisks }
}

/** The risk note of a migration with these needs, in the admin's words (one place for this phrasing). */
export function migrationNeedsWords(n: MigrationNeeds, from: string): MessageRef | undefined {
  const parts = [
    n.unsafe.length > 0 && msg('engine.migrate.needsUnsafe', { disks: n.unsafe.join(', ') }),
    n.localDisks.length > 0 && msg('engine.migrate.localDisks', { disks: n.localDisks.join(', '), from }),
  ]
  return parts.some(Boolean) ? sentences(...parts) : undefined
}
