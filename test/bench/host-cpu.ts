// CPU time of lab host processes, counted by the kernel per cgroup: a process moved into a group
// takes every child it starts later with it (sshd -> sh -> virsh, cat, ...), and the count keeps
// what exited children used. cgroup v1 (cpuacct.usage, ns) or v2 (cpu.stat usage_usec).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const V1_ROOT = '/sys/fs/cgroup/cpuacct'
const V2_ROOT = '/sys/fs/cgroup'
const PREFIX = 'virtpilot-bench-'

export interface CpuGroup {
  name: string
  /** Moves a process (all its threads) into the group; its later children follow. */
  add(pid: number): void
  /** Moves a process back to the root group. */
  release(pid: number): void
  /** CPU used by everything that ever ran in the group, in ms. */
  usedMs(): number
  pids(): number[]
}

function hierarchy(): { root: string; read: (dir: string) => number } | undefined {
  if (existsSync(join(V1_ROOT, 'cpuacct.usage'))) {
    return { root: V1_ROOT, read: (dir) => Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6 }
  }
  if (existsSync(join(V2_ROOT, 'cgroup.controllers'))) {
    return { root: V2_ROOT, read: (dir) => Number(/usage_usec (\d+)/.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'))![1]) / 1e3 }
  }
  return undefined
}

const readPids = (dir: string): number[] => readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)

/** Why host CPU cannot be counted here, or undefined when it can. */
export function cpuAccountingProblem(): string | undefined {
  return hierarchy() ? undefined : 'no cgroup cpuacct (v1) or cgroup v2 hierarchy under /sys/fs/cgroup'
}

/** Empties and deletes groups an earlier bench run left behind. */
export async function removeLeftoverGroups(): Promise<void> {
  const h = hierarchy()
  if (!h) return
  for (const entry of readdirSync(h.root)) if (entry.startsWith(PREFIX)) await emptyAndRemove(h.root, join(h.root, entry))
}

/** Moves a group's processes out and deletes it; exiting processes may hold it for a moment. */
async function emptyAndRemove(root: string, dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    for (const pid of readPids(dir)) {
      try {
        writeFileSync(join(root, 'cgroup.procs'), `${pid}\n`)
      } catch {
        // it exited meanwhile
      }
    }
    try {
      rmdirSync(dir)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= 100) throw error
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

export function cpuGroup(name: string): CpuGroup & { remove(): Promise<void> } {
  const h = hierarchy()
  if (!h) throw new Error(cpuAccountingProblem())
  const dir = join(h.root, `${PREFIX}${process.pid}-${name}`)
  mkdirSync(dir, { recursive: true })
  return {
    name,
    add: (pid) => writeFileSync(join(dir, 'cgroup.procs'), `${pid}\n`),
    release: (pid) => writeFileSync(join(h.root, 'cgroup.procs'), `${pid}\n`),
    usedMs: () => h.read(dir),
    pids: () => readPids(dir),
    remove: () => emptyAndRemove(h.root, dir),
  }
}

/** Bytes received plus sent on a network interface as seen from a process's network namespace. */
export function interfaceBytes(pid: number, iface = 'eth0'): number {
  const line = readFileSync(`/proc/${pid}/net/dev`, 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith(`${iface}:`))
  if (!line) throw new Error(`no interface ${iface} in the network namespace of process ${pid}`)
  const fields = line.split(':')[1]!.trim().split(/\s+/).map(Number)
  return fields[0]! + fields[8]!
}
