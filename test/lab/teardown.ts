import { readFileSync } from 'node:fs'
import { readdir, readFile, rm, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { virsh } from './guest'
import { deleteNamespace, labNamespaces, pidsInNamespace } from './network'
import { DEFAULT_NAME, hostPaths, labPaths, libvirtUriOf } from './paths'
import { sleep, tryRun } from './run'
import { removeLabVolumeGroups } from './storage'

export interface StopOptions {
  base: string
  /** Namespace prefix, when `<base>/lab.json` does not say it (a run that crashed early). */
  name?: string
  /** Keep the base folder (logs, consoles) instead of deleting it. */
  keep?: boolean
  log?: (line: string) => void
}

export interface StopReport {
  destroyedGuests: string[]
  stoppedPids: number[]
  deletedNamespaces: string[]
  removedCgroups: string[]
}

/** Commands a lab PID file may name; anything else is a reused PID and is left alone. */
const LAB_COMMANDS = new Set(['sshd', 'libvirtd', 'virtlogd', 'bash', 'unshare', 'nsenter'])

/**
 * Stops everything a lab started, whether `up` finished, crashed or never ran: guests through
 * libvirt, then the daemons by their PID files, then any process left in the lab's namespaces
 * (found by `ip netns pids`), then the namespaces, libvirt's leftover cgroups and the base folder.
 * Safe to run again.
 */
export async function stopLab(options: StopOptions): Promise<StopReport> {
  const log = options.log ?? (() => undefined)
  const paths = labPaths(options.base)
  const recorded = await readFile(paths.description, 'utf8')
    .then((text) => JSON.parse(text) as { name?: string })
    .catch(() => undefined)
  const name = recorded?.name ?? options.name ?? DEFAULT_NAME
  const hosts = await readdir(join(options.base, 'hosts')).catch(() => [] as string[])
  const report: StopReport = { destroyedGuests: [], stoppedPids: [], deletedNamespaces: [], removedCgroups: [] }

  // 1. Guests, the polite way (libvirt cleans up its cgroups and sockets).
  await Promise.all(
    hosts.map(async (host) => {
      const socket = hostPaths(options.base, host).libvirtSocket
      if (!(await isSocket(socket))) return
      const uri = libvirtUriOf(socket)
      const running = await tryRun(['virsh', '-q', '-c', uri, 'list', '--name'], { timeoutMs: 10_000 })
      const guests = (running?.stdout ?? '').split('\n').filter(Boolean)
      await Promise.all(
        guests.map((guest) =>
          virsh(uri, ['destroy', guest], 20_000).then(
            () => report.destroyedGuests.push(guest),
            (error: Error) => log(`could not destroy ${guest} on ${host}: ${error.message}`),
          ),
        ),
      )
    }),
  )

  // 2. Daemons by the PIDs they (or `up`) wrote.
  const daemonPids = new Set<number>()
  for (const host of hosts) {
    const hostFiles = hostPaths(options.base, host)
    for (const file of [hostFiles.libvirtdPid, hostFiles.virtlogdPid, hostFiles.sshdPid, hostFiles.hostPid]) {
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(pid) && pid > 1 && isRunning(pid) && LAB_COMMANDS.has(await commandOf(pid))) daemonPids.add(pid)
    }
  }
  await terminate([...daemonPids], report)

  // 3. Whatever is still inside the lab's namespaces (QEMU after a crash, ssh proxies) is the lab's.
  const namespaces = await labNamespaces(name)
  for (let attempt = 0; attempt < 3; attempt++) {
    const left = (await Promise.all(namespaces.map(pidsInNamespace))).flat()
    if (left.length === 0) break
    log(`stopping ${left.length} process(es) left in the lab namespaces: ${left.join(' ')}`)
    await terminate(left, report)
  }

  // 4. Namespaces (their veths and the bridge go with them).
  for (const namespace of namespaces) {
    await deleteNamespace(namespace).then(
      () => report.deletedNamespaces.push(namespace),
      (error: Error) => log(`could not delete namespace ${namespace}: ${error.message}`),
    )
  }
  await releaseNetnsMount()

  // 5. cgroups of guests that were killed instead of destroyed (libvirt removes them otherwise):
  // every guest has a console log, the TCG ones a disk too (the KVM guest of kvm-guest.ts has none).
  const guestNames = (await readdir(paths.guests).catch(() => [] as string[]))
    .map((file) => /^(.+)\.(qcow2|console\.log)$/.exec(file)?.[1])
    .filter((name) => name !== undefined)
  report.removedCgroups = await removeGuestCgroups(new Set(guestNames))

  // 6. Volume groups and loop devices of logical pools (storage.ts), which outlive the namespaces.
  await removeLabVolumeGroups(options.base)

  // 7. The base folder, only when it is really a lab's.
  if (!options.keep && (await exists(paths.marker))) await rm(options.base, { recursive: true, force: true })
  return report
}

async function terminate(pids: readonly number[], report: StopReport): Promise<void> {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name)
      return true
    } catch {
      return false
    }
  }
  const alive = pids.filter((pid) => signal(pid, 'SIGTERM'))
  report.stoppedPids.push(...alive)
  const politeDeadline = Date.now() + 5_000
  while (Date.now() < politeDeadline && alive.some(isRunning)) await sleep(50)
  for (const pid of alive) if (isRunning(pid)) signal(pid, 'SIGKILL')
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline && alive.some(isRunning)) await sleep(20)
}

/** A zombie still answers kill(pid, 0); it has let go of its resources, so it counts as gone. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  let stat = ''
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return false
  }
  return !/^\d+ \(.*\) Z/.test(stat)
}

async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim()
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  )

const isSocket = (path: string) =>
  stat(path).then(
    (info) => info.isSocket(),
    () => false,
  )

/** `ip netns add` turns /run/netns into a mount point; give it back once no namespace is left. */
async function releaseNetnsMount(): Promise<void> {
  const left = await readdir('/run/netns').catch(() => undefined)
  if (left === undefined || left.length > 0) return
  const mounts = await readFile('/proc/self/mounts', 'utf8')
  if (mounts.split('\n').some((line) => line.split(' ')[1] === '/run/netns')) {
    await tryRun(['umount', '/run/netns'])
    await tryRun(['umount', '/run/netns'])
  }
  await rmdir('/run/netns').catch(() => undefined)
}

/** libvirt (without systemd) names a guest's cgroup `qemu-<id>-<name>.libvirt-qemu` under `machine`. */
async function removeGuestCgroups(guests: ReadonlySet<string>): Promise<string[]> {
  const removed: string[] = []
  const isOurs = (dir: string) => {
    const match = /^qemu-\d+-(.+)\.libvirt-qemu$/.exec(dir)
    return match?.[1] !== undefined && guests.has(match[1])
  }
  const visit = async (dir: string, depth: number): Promise<void> => {
    const children = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const child of children) {
      if (!child.isDirectory()) continue
      const path = join(dir, child.name)
      if (isOurs(child.name)) {
        await removeTree(path)
        removed.push(path)
      } else if (depth < 4) await visit(path, depth + 1)
    }
  }
  await visit('/sys/fs/cgroup', 0)
  // libvirt's partition folder: removed when empty (another running libvirt guest keeps it busy)
  for (const controller of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    await rmdir(join('/sys/fs/cgroup', controller, 'machine')).catch(() => undefined)
  }
  return removed
}

/** cgroup folders go bottom-up with rmdir (their files are not deletable). */
async function removeTree(dir: string): Promise<void> {
  const children = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const child of children) if (child.isDirectory()) await removeTree(join(dir, child.name))
  // a cgroup whose last task just exited can be busy for a moment
  await rmdir(dir).catch(() => sleep(200).then(() => rmdir(dir).catch(() => undefined)))
}
