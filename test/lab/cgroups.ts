import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const CPUSET = '/sys/fs/cgroup/cpuset'

/**
 * Give libvirt's `machine` partition its CPUs and memory nodes before any guest starts.
 *
 * With cgroup v1 a new cpuset group starts with no CPUs; libvirt copies its parent's right after its
 * mkdir, but only when the mkdir was its own. Every lab host is a libvirtd sharing one cgroup tree and
 * the lab starts all guests at once, so a second libvirtd can find `machine` made but not yet filled,
 * place its guest under it, and QEMU then fails with "Unable to write to …/emulator/tasks: No space
 * left on device". Filling `machine` first removes the race. cgroup v2 inherits by itself: nothing to do.
 */
export async function prepareGuestCgroups(): Promise<void> {
  const rootCpus = await readFile(join(CPUSET, 'cpuset.cpus'), 'utf8').catch(() => undefined)
  if (rootCpus === undefined) return
  const partition = join(CPUSET, 'machine')
  await mkdir(partition, { recursive: true })
  for (const file of ['cpuset.mems', 'cpuset.cpus']) {
    const current = (await readFile(join(partition, file), 'utf8')).trim()
    if (current !== '') continue
    const parent = (await readFile(join(CPUSET, file), 'utf8')).trim()
    await writeFile(join(partition, file), parent)
  }
}
