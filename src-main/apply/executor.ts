import { english, msg, said } from '../../shared/i18n'
import type { Action, HostCommand, MessageRef, Plan, PlanStep } from '../../shared/model'
import { checkVerification, migrationAbort, migrationJobInfo, migrationProgress, migrationThroughput, renderAction, verifyCommands, withTunnelSocket, type CommandContext } from '../hosts/libvirt/commands'
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
  /** A migration finished: what it moved and in how long, read from its progress (the link speed storage copies are timed with). */
  onLinkMeasured?: (measure: { from: string; to: string; t: number; bytes: number; seconds: number }) => void
}

/** 'run': the pending steps, in order (a resumed plan has some done already); 'roll-back': undo the done steps. */
export type RunMode = 'run' | 'roll-back'

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
  /** The failure as a message for the admin's language, where VirtPilot words it. */
  readonly ref: MessageRef | undefined
  constructor(
    message: string | MessageRef,
    /** The host may have changed: the step's own rollback must run too. */
    readonly mayHaveChanged: boolean,
  ) {
    super(typeof message === 'string' ? message : english(message))
    this.ref = typeof message === 'string' ? undefined : message
  }
}

function pairKey(action: Action): string | undefined {
  return action.kind === 'migrate' ? [action.from, action.to].sort().join('|') : undefined
}

/**
 * Runs a plan step by step: every command goes to the audit log before it is sent (synced to
 * disk; a command whose entry cannot be written is not sent), then its output and exit code, and
 * every read-back; the plan is saved at each change so a crash leaves it readable. A failed step
 * stops the plan and the completed steps are rolled back, newest first.
 */
export function runPlan(plan: Plan, deps: ExecutorDeps, mode: RunMode = 'run'): PlanRun {
  let cancelled = false
  const aborters = new Set<() => Promise<void>>()
  /** Why the plan could not be saved, if it could not (the audit decides what is sent). */
  let unsaved: string | undefined
  const save = () => {
    try {
      deps.store.savePlan(plan)
      unsaved = undefined
    } catch (error) {
      unsaved = (error as Error).message
    }
    deps.onUpdate(structuredClone(plan))
  }
  const audit = (entry: Omit<Parameters<PlansRepo['audit']>[0], 't' | 'actor' | 'planId'>) =>
    deps.store.audit({ t: deps.clock(), actor: deps.actor, planId: plan.id, ...entry })
  /** An entry about the plan itself: a failure to write it is kept in the outcome, never thrown. */
  const problems: string[] = []
  const note = (ref: MessageRef) => {
    try {
      audit({ kind: 'state', ...said({ message: ref }) })
    } catch (error) {
      problems.push(`audit entry not written (${(error as Error).message}): ${english(ref)}`)
    }
  }

  async function run(cmd: HostCommand, step: PlanStep, kind: 'command' | 'rollback' | 'verify', socket?: string): Promise<ExecResult> {
    const argv = socket !== undefined ? withTunnelSocket(cmd.argv, socket) : cmd.argv
    try {
      audit({ kind, stepId: step.id, host: cmd.host, argv, ...said({ message: msg('apply.run.sending', { purpose: cmd.purposeRef ?? cmd.purpose }) }) })
    } catch (error) {
      throw new StepFailure(`${cmd.purpose} was not sent: the audit log could not record it first. ${(error as Error).message}`, false)
    }
    let result: ExecResult
    try {
      result = await deps.exec(cmd.host, argv, step.action.kind === 'migrate' && kind !== 'verify' ? MIGRATION_TIMEOUT_MS : COMMAND_TIMEOUT_MS)
    } catch (error) {
      try {
        audit({ kind, stepId: step.id, host: cmd.host, argv, exitCode: null, ...said({ message: msg('apply.run.couldNotRun', { purpose: cmd.purposeRef ?? cmd.purpose, reason: (error as Error).message }) }) })
      } catch (auditError) {
        problems.push(`audit entry not written (${(auditError as Error).message}): ${cmd.purpose} could not run`)
      }
      throw new StepFailure(`${cmd.host}: ${(error as Error).message}`, false)
    }
    const output = (result.stdout + (result.stderr ? `\n${result.stderr}` : '')).trim().slice(0, 20_000)
    try {
      audit({ kind, stepId: step.id, host: cmd.host, argv, exitCode: result.code, output, message: cmd.purpose, ...(cmd.purposeRef ? { messageRef: cmd.purposeRef } : {}) })
    } catch (error) {
      throw new StepFailure(`${cmd.purpose} ran on ${cmd.host} (exit ${result.code}) but its result could not be recorded: ${(error as Error).message}`, true)
    }
    return result
  }

  /** The last throughput a migration's progress showed, per step (the link speed once it finishes). */
  const throughput = new Map<string, { bytes: number; seconds: number }>()

  /** Polls virsh domjobinfo on the source while a migration runs, for progress. */
  function watchMigration(step: PlanStep, vmId: string): () => void {
    let stopped = false
    void (async () => {
      while (!stopped) {
        await sleep(1000)
        if (stopped) break
        try {
          const info = migrationJobInfo(step.host, vmId, deps.ctx)
          const text = (await deps.exec(info.host, info.argv, JOB_TIMEOUT_MS)).stdout
          const moved = migrationThroughput(text)
          if (moved && !stopped) throughput.set(step.id, moved)
          const progress = migrationProgress(text)
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

  async function verify(step: PlanStep, action: Action, commands: HostCommand[]): Promise<MessageRef | string> {
    const deadline = deps.clock() + (deps.verifyWithinMs ?? 30_000)
    for (;;) {
      const outputs: (string | undefined)[] = []
      for (const cmd of commands) {
        const result = await run(cmd, step, 'verify').catch(() => undefined)
        outputs.push(result && result.code === 0 ? result.stdout : undefined)
      }
      const check = checkVerification(action, outputs, deps.ctx)
      const observed = check.observedRef ?? check.observed
      if (check.ok) {
        audit({ kind: 'verify', stepId: step.id, host: step.host, ...said({ message: msg('apply.run.verified', { observed }) }) })
        return observed
      }
      if (deps.clock() > deadline) {
        audit({ kind: 'verify', stepId: step.id, host: step.host, ...said({ message: msg('apply.run.notAsIntended', { observed }) }) })
        throw new StepFailure(msg('apply.run.readBackDiffers', { observed }), true)
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
          throw new StepFailure(msg('apply.run.noTunnel', { host: step.action.to, reason: (error as Error).message }), false)
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
          if (result.code !== 0) throw new StepFailure(msg('apply.run.commandFailed', { purpose: cmd.purposeRef ?? cmd.purpose, code: result.code ?? 'signal', output: (result.stderr || result.stdout).trim().slice(0, 500) }), false)
        } finally {
          stopWatching()
          if (abort) aborters.delete(abort)
        }
      }
      // virsh migrate has returned: nothing may reach the destination's libvirt any more.
      await tunnel?.close()
      const observed = await verify(step, step.action, verifyCommands(step.action, deps.ctx))
      if (typeof observed === 'string') step.message = observed
      else Object.assign(step, { message: english(observed), messageRef: observed })
      step.progress = 1
      step.state = 'done'
      const moved = throughput.get(step.id)
      if (step.action.kind === 'migrate' && moved) deps.onLinkMeasured?.({ from: step.action.from, to: step.action.to, t: deps.clock(), ...moved })
    } catch (error) {
      step.state = 'failed'
      step.message = (error as Error).message
      step.messageRef = error instanceof StepFailure ? error.ref : undefined
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
        if (result.code !== 0) throw new StepFailure(msg('apply.run.commandFailed', { purpose: cmd.purposeRef ?? cmd.purpose, code: result.code ?? 'signal', output: (result.stderr || result.stdout).trim().slice(0, 300) }), false)
      }
      await tunnel?.close()
      const observed = await verify(step, step.rollback, verifyCommands(step.rollback, deps.ctx))
      step.state = 'rolled-back'
      Object.assign(step, said({ message: msg('apply.run.rolledBack', { observed }) }))
    } catch (error) {
      step.state = 'rollback-failed'
      Object.assign(step, said({ message: msg('apply.run.rollbackFailed', { reason: error instanceof StepFailure && error.ref ? error.ref : (error as Error).message }) }))
    } finally {
      await tunnel?.close()
      save()
    }
  }

  function outcome(): Plan['outcome'] {
    const byHost = new Map<string, MessageRef[]>()
    for (const step of plan.steps) {
      const hosts = step.action.kind === 'migrate' ? [step.action.from, step.action.to] : [step.host]
      for (const host of hosts) {
        const lines = byHost.get(host) ?? []
        const note = step.message ? msg('apply.outcome.note', { message: step.messageRef ?? step.message }) : ''
        lines.push(msg('apply.outcome.step', { title: step.titleRef ?? step.title, state: msg(`apply.stepState.${step.state}`), note }))
        byHost.set(host, lines)
      }
    }
    return [...byHost].map(([host, clauses]) => {
      const { message, messageRef } = said({ message: msg('engine.clauses', { clauses }) })
      return { host, summary: message, summaryRef: messageRef }
    })
  }

  /** Runs the pending steps in order; on a failure, rolls back the completed ones. */
  async function runSteps(): Promise<void> {
    const resumed = plan.steps.some((s) => s.state === 'done')
    note(msg(resumed ? 'apply.run.resumed' : 'apply.run.started', { count: plan.steps.filter((s) => s.state === 'pending').length, parallelism: plan.parallelism }))
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
      note(msg('apply.run.failed', { reason: failure.ref ?? failure.message }))
      const undone = await undo([...plan.steps.filter((s) => s.state === 'done'), ...failedSteps])
      plan.state = plan.steps.some((s) => s.state === 'rollback-failed') ? 'failed' : undone > 0 ? 'rolled-back' : 'failed'
    } else {
      plan.state = cancelled ? 'cancelled' : 'done'
    }
  }

  /** Rolls steps back, newest first; resolves with how many there were. */
  async function undo(steps: PlanStep[]): Promise<number> {
    const ordered = [...steps].sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
    for (const step of ordered) await rollback(step)
    return ordered.length
  }

  const done = (async (): Promise<Plan> => {
    plan.state = 'running'
    plan.startedAt ??= deps.clock()
    plan.endedAt = undefined
    plan.outcome = undefined
    save()
    if (mode === 'roll-back') {
      const toUndo = plan.steps.filter((s) => s.state === 'done')
      note(msg('apply.run.undoInterrupted', { count: toUndo.length }))
      for (const step of plan.steps) if (step.state === 'pending' || step.state === 'interrupted') step.state = 'cancelled'
      await undo(toUndo)
      plan.state = plan.steps.some((s) => s.state === 'rollback-failed') ? 'failed' : 'rolled-back'
    } else {
      await runSteps()
    }
    plan.endedAt = deps.clock()
    plan.outcome = [...(outcome() ?? []), ...problems.map((problem) => ({ host: 'audit log', summary: problem }))]
    save()
    note(msg('apply.run.ended', { state: msg(`apply.planState.${plan.state === 'rolled-back' ? 'rolledBack' : plan.state}`), hosts: plan.outcome.map((o) => msg('apply.outcome.host', { host: o.host, summary: o.summaryRef ?? o.summary })) }))
    if (unsaved) throw new Error(`plan ${plan.id} ended ${plan.state} but could not be saved: ${unsaved}`)
    return plan
  })()

  return {
    cancel() {
      if (cancelled) return
      cancelled = true
      note(msg('apply.run.cancelRequested'))
      for (const abort of aborters) void abort()
    },
    done,
  }
}
