import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { z } from 'zod'

/** The process running a plan: kept with the plan so another process can tell whether it still runs. */
const RunnerSchema = z.object({ pid: z.number().int().positive(), machine: z.string(), since: z.string() })
export type Runner = z.infer<typeof RunnerSchema>

/** When a process started as the kernel counts it (Linux), so a reused pid is told apart; '' elsewhere. */
function startOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? ''
  } catch {
    return ''
  }
}

export function thisRunner(): Runner {
  return { pid: process.pid, machine: hostname(), since: startOf(process.pid) }
}

/**
 * Whether the process that ran a plan still runs. A runner on another machine cannot be checked
 * and counts as alive (its plan is not declared interrupted behind its back).
 */
export function runnerAlive(value: unknown): boolean {
  const parsed = RunnerSchema.safeParse(value)
  if (!parsed.success) return false
  const runner = parsed.data
  if (runner.machine !== hostname()) return true
  if (runner.pid === process.pid) return runner.since === startOf(process.pid)
  try {
    process.kill(runner.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  return runner.since === '' || startOf(runner.pid) === runner.since
}
