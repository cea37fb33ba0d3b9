import type { Action, HostCommand, Plan, PlanStep } from '../../shared/model'
import { checkVerification, migrationAbort, migrationJobInfo, migrationProgress, renderAction, verifyCommands, withTunnelSocket, type CommandContext } from '../hosts/libvirt/commands'
import type { ExecResult } from '../ssh/connection'
import type { PlansRepo } from '../store/plans'

export interface ExecutorDeps {
  store: PlansRepo
  /** Every command, read-back and rollback is rendered from the step's action with this, never taken from the plan. */
  ctx: CommandContext
  /** Runs argv on a host over its SSH connection. */
  exec(host: string, argv: readonly string[], timeoutMs: number): Promise<ExecResult>
  /** The destination's libvirt, reachable through a private socket on the source (see tunnel.ts). */
  tunnel(from: string, to: string): Promise<{ socket: string; close: () => Promise<void> }>
  clock: () => number
  actor: string
  /** Every change of the plan (step state, progress), for the UI and the CLI. */
  onUpdate(plan: Plan): void
  /** How long a read-back may take to show the change (the balloon settles over seconds). */
  verifyWithinMs?: number
}

export interface PlanRun {
  /** Stops before the next step; a running migration is aborted (virsh domjobabort). */
  cancel(): void
  done: Promise<Plan>
}

const COMMAND_TIMEOUT_MS = 120_000
const MIGRATION_TIMEOUT_MS = 15 * 60_000
/** Reading a migration's progress, or aborting it, answers at once or not at all. */
const JOB_TIMEOUT_MS = 10_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

class StepFailure extends Error {
  constructor(
    message: string,
    /** The host may have changed: the step's own rollback must run too. */
    readonly mayHaveChanged: boolean,
  ) {
    super(message)
  }
}

function pairKey(action: Action): string | undefined {
  return action.kind === 'migrate' ? [action.from, action.to].sort().join('|') : undefined
}

/**
 * Runs a plan step by step: every command, its output and exit code, and every read-back go to
 * the audit log; the plan is saved at each change so a crash leaves it readable. A failed step
 * stops the plan and the completed steps are rolled back, newest first.
 */
export function runPlan(plan: Plan, deps: ExecutorDeps): PlanRun {
  let cancelled = false
  const aborters = new Set<() => Promise<void>>()
  const save = () => {
    deps.store.savePlan(plan)
    deps.onUpdate(structuredClone(plan))
  }
  const audit = (entry: Omit<Parameters<PlansRepo['audit']>[0], 't' | 'actor' | 'planId'>) =>
    deps.store.audit({ t: deps.clock(), actor: deps.actor, planId: plan.id, ...entry })

  async function run(cmd: HostCommand, step: PlanStep, kind: 'command' | 'rollback' | 'verify', socket?: string): Promise<ExecResult> {
    const argv = socket !== undefined ? withTunnelSocket(cmd.argv, socket) : cmd.argv
    let result: ExecResult
    try {
      result = await deps.exec(cmd.host, argv, step.action.kind === 'migrate' && kind !== 'verify' ? MIGRATION_TIMEOUT_MS : COMMAND_TIMEOUT_MS)
    } catch (error) {
      audit({ kind, stepId: step.id, host: cmd.host, argv, exitCode: null, message: `${cmd.purpose}: could not run: ${(error as Error).message}` })
      throw new StepFailure(`${cmd.host}: ${(error as Error).message}`, false)
    }
    const output = (result.stdout + (result.stderr ? `\n${result.stderr}` : '')).trim().slice(0, 20_000)
    audit({ kind, stepId: step.id, host: cmd.host, argv, exitCode: result.code, output, message: cmd.purpose })
    return result
  }

  /** Polls virsh domjobinfo on the source while a migration runs, for progress. */
  function watchMigration(step: PlanStep, vmId: string): () => void {
    let stopped = false
    void (async () => {
      while (!stopped) {
        await sleep(1000)
        if (stopped) break
        try {
          const info = migrationJobInfo(step.host, vmId, deps.ctx)
          const progress = migrationProgress((await deps.exec(info.host, info.argv, JOB_TIMEOUT_MS)).stdout)
          if (progress !== undefined && !stopped) {
            step.progress = progress
            save()
          }
        } catch {
          // Progress is best effort; the migration's own result decides.
        }
      }
    })()
    return () => (stopped = true)
  }

  async function verify(step: PlanStep, action: Action, commands: HostCommand[]): Promise<string> {
    const deadline = deps.clock() + (deps.verifyWithinMs ?? 30_000)
    for (;;) {
      const outputs: (string | undefined)[] = []
      for (const cmd of commands) {
        const result = await run(cmd, step, 'verify').catch(() => undefined)
        outputs.push(result && result.code === 0 ? result.stdout : undefined)
      }
      const check = checkVerification(action, outputs, deps.ctx)
      if (check.ok) {
        audit({ kind: 'verify', stepId: step.id, host: step.host, message: `verified: ${check.observed}` })
        return check.observed
      }
      if (deps.clock() > deadline) {
        audit({ kind: 'verify', stepId: step.id, host: step.host, message: `not as intended: ${check.observed}` })
        throw new StepFailure(`read back ${check.observed}`, true)
      }
      await sleep(1000)
    }
  }

  async function execute(step: PlanStep): Promise<void> {
    step.state = 'running'
    step.startedAt = deps.clock()
    save()
    let tunnel: { socket: string; close: () => Promise<void> } | undefined
    try {
      if (step.action.kind === 'migrate') {
        try {
          tunnel = await deps.tunnel(step.action.from, step.action.to)
        } catch (error) {
          throw new StepFailure(`cannot reach ${step.action.to}'s libvirt through SSH: ${(error as Error).message}`, false)
        }
      }
      for (const cmd of renderAction(step.action, deps.ctx)) {
        let stopWatching = () => {}
        let abort: (() => Promise<void>) | undefined
        if (step.action.kind === 'migrate') {
          const stop = migrationAbort(step.host, step.action.vm, deps.ctx)
          stopWatching = watchMigration(step, step.action.vm)
          abort = async () => {
            await deps.exec(stop.host, stop.argv, JOB_TIMEOUT_MS).catch(() => undefined)
          }
          aborters.add(abort)
        }
        try {
          const result = await run(cmd, step, 'command', tunnel?.socket)
          if (result.code !== 0) throw new StepFailure(`${cmd.purpose} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(0, 500)}`, false)
        } finally {
          stopWatching()
          if (abort) aborters.delete(abort)
        }
      }
      // virsh migrate has returned: nothing may reach the destination's libvirt any more.
      await tunnel?.close()
      step.message = await verify(step, step.action, verifyCommands(step.action, deps.ctx))
      step.progress = 1
      step.state = 'done'
    } catch (error) {
      step.state = 'failed'
      step.message = (error as Error).message
      throw error
    } finally {
      await tunnel?.close()
      step.endedAt = deps.clock()
      save()
    }
  }

  async function rollback(step: PlanStep): Promise<void> {
    step.state = 'rolling-back'
    save()
    let tunnel: { socket: string; close: () => Promise<void> } | undefined
    try {
      if (step.rollback.kind === 'migrate') tunnel = await deps.tunnel(step.rollback.from, step.rollback.to)
      for (const cmd of renderAction(step.rollback, deps.ctx)) {
        const result = await run(cmd, step, 'rollback', tunnel?.socket)
        if (result.code !== 0) throw new StepFailure(`${cmd.purpose} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(0, 300)}`, false)
      }
      await tunnel?.close()
      const observed = await verify(step, step.rollback, verifyCommands(step.rollback, deps.ctx))
      step.state = 'rolled-back'
      step.message = `rolled back: ${observed}`
    } catch (error) {
      step.state = 'rollback-failed'
      step.message = `ROLLBACK FAILED: ${(error as Error).message}`
    } finally {
      await tunnel?.close()
      save()
    }
  }

  function outcome(): Plan['outcome'] {
    const byHost = new Map<string, string[]>()
    for (const step of plan.steps) {
      const hosts = step.action.kind === 'migrate' ? [step.action.from, step.action.to] : [step.host]
      for (const host of hosts) {
        const lines = byHost.get(host) ?? []
        lines.push(`${step.title}: ${step.state}${step.message ? ` (${step.message})` : ''}`)
        byHost.set(host, lines)
      }
    }
    return [...byHost].map(([host, lines]) => ({ host, summary: lines.join('; ') }))
  }

  const done = (async (): Promise<Plan> => {
    plan.state = 'running'
    plan.startedAt = deps.clock()
    save()
    audit({ kind: 'state', message: `plan started: ${plan.steps.length} step(s), parallelism ${plan.parallelism}` })
    const running = new Map<string, Promise<void>>()
    let failure: StepFailure | undefined
    const failedSteps: PlanStep[] = []
    for (;;) {
      if (!failure && !cancelled) {
        const busyPairs = new Set([...running.keys()].map((id) => pairKey(plan.steps.find((s) => s.id === id)!.action)).filter(Boolean))
        for (const step of plan.steps) {
          if (running.size >= plan.parallelism) break
          if (step.state !== 'pending') continue
          if (!step.dependsOn.every((dep) => plan.steps.find((s) => s.id === dep)?.state === 'done')) continue
          const pair = pairKey(step.action)
          if (pair && busyPairs.has(pair)) continue
          if (pair) busyPairs.add(pair)
          running.set(
            step.id,
            execute(step).catch((error: unknown) => {
              failure ??= error instanceof StepFailure ? error : new StepFailure(String(error), true)
              if (error instanceof StepFailure && error.mayHaveChanged) failedSteps.push(step)
            }),
          )
        }
      }
      if (running.size === 0) break
      await Promise.race([...running].map(([id, p]) => p.then(() => id)))
      for (const [id] of running) if (plan.steps.find((s) => s.id === id)!.state !== 'running') running.delete(id)
    }
    for (const step of plan.steps) if (step.state === 'pending') step.state = cancelled && !failure ? 'cancelled' : 'skipped'

    if (failure) {
      audit({ kind: 'state', message: `plan failed: ${failure.message}; rolling back the completed steps` })
      const toUndo = [...plan.steps.filter((s) => s.state === 'done'), ...failedSteps].sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
      for (const step of toUndo) await rollback(step)
      plan.state = plan.steps.some((s) => s.state === 'rollback-failed') ? 'failed' : toUndo.length > 0 ? 'rolled-back' : 'failed'
    } else {
      plan.state = cancelled ? 'cancelled' : 'done'
    }
    plan.endedAt = deps.clock()
    plan.outcome = outcome()
    save()
    audit({ kind: 'state', message: `plan ${plan.state}: ${plan.outcome!.map((o) => `${o.host}: ${o.summary}`).join(' | ')}` })
    return plan
  })()

  return {
    cancel() {
      if (cancelled) return
      cancelled = true
      audit({ kind: 'state', message: 'cancel requested: no new step starts; a running migration is aborted' })
      for (const abort of aborters) void abort()
    },
    done,
  }
}
