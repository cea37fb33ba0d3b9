import { msg } from '../../shared/i18n'
import type { Action, MessageRef, Plan, PlanReadBack, StepReadBack, VmWhereabouts } from '../../shared/model'
import { checkVerification, verifyCommands, vmInfo, vmInfoCommand, type CommandContext } from '../hosts/libvirt/commands'
import type { ExecResult } from '../ssh/connection'

export interface ReadBackDeps {
  ctx: CommandContext
  exec(host: string, argv: readonly string[], timeoutMs: number): Promise<ExecResult>
  clock: () => number
}

const READ_TIMEOUT_MS = 30_000

function hostsOf(action: Action): string[] {
  return action.kind === 'migrate' ? [action.from, action.to] : [action.host]
}

/**
 * After a plan was cut short (VirtPilot killed, the machine rebooted): reads on the hosts, for each
 * step, whether they show its change (applied), the state before it (not applied) or neither
 * (unclear: a host could not be read, or a migration left the VM somewhere in between), and where
 * each VM of the plan is with its vCPUs and memory. Nothing is changed on any host.
 */
export async function readBackPlan(plan: Plan, deps: ReadBackDeps): Promise<PlanReadBack> {
  const problems = new Set<string>()
  const outputsOf = async (action: Action): Promise<(string | undefined)[]> => {
    const outputs: (string | undefined)[] = []
    for (const cmd of verifyCommands(action, deps.ctx)) {
      try {
        const result = await deps.exec(cmd.host, cmd.argv, READ_TIMEOUT_MS)
        outputs.push(result.code === 0 ? result.stdout : undefined)
      } catch (error) {
        problems.add(`${cmd.host}: ${(error as Error).message}`)
        outputs.push(undefined)
      }
    }
    return outputs
  }

  const steps: StepReadBack[] = []
  for (const step of plan.steps) {
    const after = checkVerification(step.action, await outputsOf(step.action), deps.ctx)
    const before = checkVerification(step.rollback, await outputsOf(step.rollback), deps.ctx)
    const verdict = after.ok ? 'applied' : before.ok ? 'not-applied' : 'unclear'
    const seen = verdict === 'not-applied' ? before : after
    steps.push({ stepId: step.id, verdict, observed: seen.observed, ...(seen.observedRef ? { observedRef: seen.observedRef } : {}) })
  }

  const hosts = [...new Set(plan.steps.flatMap((s) => hostsOf(s.action)))]
  const vmIds = [...new Set(plan.steps.flatMap((s) => ('vm' in s.action ? [s.action.vm] : [])))]
  const vms: VmWhereabouts[] = []
  for (const vmId of vmIds) {
    const seen: VmWhereabouts['seen'] = []
    for (const host of hosts) {
      const cmd = vmInfoCommand(host, vmId, deps.ctx)
      try {
        const result = await deps.exec(cmd.host, cmd.argv, READ_TIMEOUT_MS)
        if (result.code !== 0) continue
        const info = vmInfo(result.stdout)
        if (info.ok) seen.push({ host, state: info.value.state, vcpus: info.value.vcpus, memoryMiB: info.value.memoryMiB, maxMemoryMiB: info.value.maxMemoryMiB })
        else problems.add(`${host}: dominfo: ${info.error.message}`)
      } catch (error) {
        problems.add(`${host}: ${(error as Error).message}`)
      }
    }
    vms.push({ vmId, seen })
  }
  return { at: deps.clock(), steps, vms, problems: [...problems] }
}

/** One line per VM for logs and the audit: `h1-vm2 on h1 (running, 1 vCPU, 128 MiB)`. */
export function describeWhereabouts(readBack: PlanReadBack, nameOf: (vmId: string) => string): MessageRef[] {
  return readBack.vms.map((vm) =>
    msg('apply.readBack.vm', {
      vm: nameOf(vm.vmId),
      where:
        vm.seen.length === 0
          ? msg('apply.readBack.nowhere')
          : msg('apply.readBack.places', { ands: vm.seen.map((s) => msg('apply.readBack.on', { host: s.host, state: s.state, vcpus: s.vcpus ?? '?', mib: Math.round(s.memoryMiB ?? 0) })) }),
    }),
  )
}
