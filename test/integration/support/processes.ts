import { readdirSync, readFileSync } from 'node:fs'

/** One line of the process table: enough to tell what runs where and what is a zombie. */
export interface Proc {
  pid: number
  ppid: number
  /** R, S, D, T (stopped), Z (zombie), ... */
  state: string
  comm: string
}

function processes(): Proc[] {
  const table: Proc[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // exited while listing
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'
    const close = stat.lastIndexOf(')')
    const [state, ppid] = stat.slice(close + 2).split(' ')
    table.push({ pid: Number(entry), ppid: Number(ppid), state: state!, comm: stat.slice(stat.indexOf('(') + 1, close) })
  }
  return table
}

/** Every process below `root` (children, their children, ...), zombies included. */
export function descendants(root: number): Proc[] {
  const table = processes()
  const found: Proc[] = []
  let level = [root]
  while (level.length > 0) {
    const next = table.filter((p) => level.includes(p.ppid))
    found.push(...next)
    level = next.map((p) => p.pid)
  }
  return found.sort((a, b) => a.pid - b.pid)
}

/** Whether a process exists, zombie or not. */
export function exists(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`)
    return true
  } catch {
    return false
  }
}
