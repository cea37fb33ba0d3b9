import { mkdir, open, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LabGuest, LabHost } from './description'
import { domainXml, virsh, waitForBoot } from './guest'
import type { GuestImage } from './guest-image'
import { hostPaths } from './paths'
import { run, tryRun } from './run'

/**
 * Storage pools on lab hosts. Each host's /var/lib/libvirt is its own folder (a bind mount in
 * its mount namespace), so a dir pool there is LOCAL to that host, unlike the guests folder every
 * host sees. A logical pool is an LVM volume group on a loop device over a file in the lab's base
 * folder (needs lvm2; this machine's kernel has no device-mapper, so the group holds no volumes).
 */

/** Where a host's local dir pool keeps its volumes, as the host sees it and as the root namespace does. */
export function localPoolPaths(base: string, host: LabHost): { onHost: string; here: string } {
  return { onHost: '/var/lib/libvirt/images', here: join(hostPaths(base, host.name).varLibLibvirt, 'images') }
}

/** Defines, builds and starts a dir pool over the host's own /var/lib/libvirt/images; returns its undo. */
export async function defineLocalDirPool(base: string, host: LabHost, name = 'vplab-local'): Promise<() => Promise<void>> {
  const { onHost, here } = localPoolPaths(base, host)
  await mkdir(here, { recursive: true })
  await virsh(host.libvirt.uri, ['pool-define-as', name, 'dir', '--target', onHost])
  await virsh(host.libvirt.uri, ['pool-start', name])
  return async () => {
    await virsh(host.libvirt.uri, ['pool-destroy', name]).catch(() => undefined)
    await virsh(host.libvirt.uri, ['pool-undefine', name]).catch(() => undefined)
  }
}

/** The volume groups and loop devices lab logical pools make are named after this. */
export const LAB_VG_PREFIX = 'vplab_'

/**
 * A logical pool on `host`: a sparse file in the lab's base folder, a loop device over it, an
 * LVM physical volume and volume group on that, and libvirt's pool over the group. Returns its undo.
 */
export async function defineLogicalPool(base: string, host: LabHost, sizeMiB = 64, name = 'vplab-lvm'): Promise<{ vg: string; device: string; undo: () => Promise<void> }> {
  const vg = `${LAB_VG_PREFIX}${host.name}`
  const dir = join(base, 'storage')
  await mkdir(dir, { recursive: true })
  const file = join(dir, `${vg}.img`)
  await writeFile(file, '')
  await run(['truncate', '-s', `${sizeMiB}M`, file])
  const device = (await run(['losetup', '--find', '--show', file])).stdout.trim()
  const undo = async () => {
    await virsh(host.libvirt.uri, ['pool-destroy', name]).catch(() => undefined)
    await virsh(host.libvirt.uri, ['pool-undefine', name]).catch(() => undefined)
    await removeLabVolumeGroups(base)
  }
  try {
    await run(['pvcreate', '-q', '-y', device], { timeoutMs: 30_000 })
    await run(['vgcreate', '-q', vg, device], { timeoutMs: 30_000 })
    await virsh(host.libvirt.uri, ['pool-define-as', name, 'logical', '--source-name', vg, '--target', `/dev/${vg}`])
    await virsh(host.libvirt.uri, ['pool-start', name])
  } catch (error) {
    await undo()
    throw error
  }
  return { vg, device, undo }
}

/** Removes every volume group on a loop device over a file in `<base>/storage`, and the loop devices (teardown, also after a crash). */
export async function removeLabVolumeGroups(base: string): Promise<void> {
  const loops = await tryRun(['losetup', '--list', '--noheadings', '--output', 'NAME,BACK-FILE'], { timeoutMs: 10_000 })
  const storage = join(base, 'storage') + '/'
  for (const line of (loops?.stdout ?? '').split('\n')) {
    const [device, file] = line.trim().split(/ +/, 2)
    if (!device || !file?.startsWith(storage)) continue
    const vg = (await tryRun(['pvs', '--noheadings', '-o', 'vg_name', device], { timeoutMs: 30_000 }))?.stdout.trim()
    if (vg?.startsWith(LAB_VG_PREFIX)) await tryRun(['vgremove', '-q', '-f', vg], { timeoutMs: 30_000 })
    await tryRun(['pvremove', '-q', '-f', device], { timeoutMs: 30_000 })
    await tryRun(['losetup', '--detach', device], { timeoutMs: 10_000 })
  }
  await rm(join(base, 'storage'), { recursive: true, force: true })
}

/** Bytes a disk of a guest on a local pool carries at MARKER_OFFSET, to find it again on another host. */
export const MARKER_OFFSET = 1024 * 1024

/**
 * Boots a guest whose disk is a raw volume of the host's local dir pool (defineLocalDirPool),
 * with `marker` written into it at MARKER_OFFSET. Resolves once the guest has booted.
 */
export async function startGuestOnLocalPool(base: string, host: LabHost, guest: LabGuest, image: GuestImage, sizeMiB: number, marker: string, pool = 'vplab-local'): Promise<{ diskOnHost: string }> {
  const { onHost, here } = localPoolPaths(base, host)
  const file = `${guest.name}.raw`
  await run(['truncate', '-s', `${sizeMiB}M`, join(here, file)])
  const handle = await open(join(here, file), 'r+')
  try {
    await handle.write(Buffer.from(marker), 0, Buffer.byteLength(marker), MARKER_OFFSET)
  } finally {
    await handle.close()
  }
  await virsh(host.libvirt.uri, ['pool-refresh', pool])
  const onPool = { ...guest, disk: `${onHost}/${file}` }
  const xmlFile = join(base, 'storage', `${guest.name}.xml`)
  await mkdir(join(base, 'storage'), { recursive: true })
  await writeFile(xmlFile, domainXml(onPool, image, 'raw'))
  await virsh(host.libvirt.uri, ['define', xmlFile])
  await virsh(host.libvirt.uri, ['start', guest.name])
  await waitForBoot(guest, 90_000)
  return { diskOnHost: onPool.disk }
}

/** Reads `length` bytes at MARKER_OFFSET of a file (a disk as one host holds it). */
export async function readMarker(file: string, length: number): Promise<string> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, MARKER_OFFSET)
    return buffer.toString()
  } finally {
    await handle.close()
  }
}
