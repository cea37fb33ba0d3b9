import { randomUUID } from 'node:crypto'
import { failure } from '../../shared/api/result'
import { msg, type MessageRef } from '../../shared/i18n'
import type { PerfKvmRun, Snapshot } from '../../shared/model'
import { perfKvmScript } from '../hosts/linux/perf-kvm-script'
import { parsePerfKvmRun } from '../hosts/linux/parse/perf-kvm'
import type { HostManager } from './host-manager'
import type { Store } from '../store'

/** What perf may print beyond its report (warnings, one line per lost chunk): plenty for a table. */
const MAX_OUTPUT_BYTES = 256 * 1024

export interface PerfKvmOptions {
  hosts: Pick<HostManager, 'connectionOf' | 'qemuPidOf'>
  store: Pick<Store, 'perfRuns'>
  snapshot: () => Snapshot
  clock: () => number
}

/**
 * `perf kvm stat` on demand: the admin picks a VM and a duration, sees the exact command, and
 * runs it; the exit reasons are kept with the VM's history. Never started by VirtPilot itself.
 */
export function createPerfKvm(options: PerfKvmOptions) {
  const { hosts, store, clock } = options

  /** The host, process and exact script a run of `seconds` on this VM would use. */
  function preview(vmId: string, seconds: number): { hostId: string; pid: number; command: string } {
    const vm = options.snapshot().vms.find((v) => v.id === vmId)
    if (!vm) throw failure('not-found', msg('server.perf.noVm', { vm: vmId }))
    if (vm.state !== 'running') throw failure('conflict', msg('server.perf.notRunning', { vm: vm.name, state: vm.state }))
    if (!hosts.connectionOf(vm.hostId)) throw failure('conflict', msg('server.perf.notOverSsh', { vm: vm.name }))
    const pid = hosts.qemuPidOf(vm.hostId, vmId)
    if (pid === undefined) throw failure('unavailable', msg('server.perf.noPid', { vm: vm.name }))
    return { hostId: vm.hostId, pid, command: perfKvmScript(pid, seconds) }
  }

  /** Runs it (one exec on the VM's host for `seconds` plus the report) and keeps the outcome. */
  async function run(vmId: string, seconds: number): Promise<PerfKvmRun> {
    const { hostId, command } = preview(vmId, seconds)
    const connection = hosts.connectionOf(hostId)!
    const t = clock()
    let outcome: ReturnType<typeof parsePerfKvmRun>
    try {
      const result = await connection.execScript(command, (seconds + 60) * 1000, MAX_OUTPUT_BYTES)
      outcome = parsePerfKvmRun(`${result.stdout}${result.stderr ? `\n${result.stderr}` : ''}`)
    } catch (error) {
      // SSH's failures word themselves (SshError's messageRef); anything else is said as it came.
      const ref = (error as { messageRef?: MessageRef }).messageRef
      outcome = { status: 'failed', message: (error as Error).message, messageRef: ref ?? msg('engine.verbatim', { text: (error as Error).message }) }
    }
    const record: PerfKvmRun = {
      id: randomUUID(),
      vmId,
      hostId,
      t,
      seconds,
      command,
      ...(outcome.status === 'done' ? { status: 'done', report: outcome.report } : { status: outcome.status, message: outcome.message, messageRef: outcome.messageRef }),
    }
    store.perfRuns.save(record)
    return record
  }

  return { preview, run, list: (vmId: string) => store.perfRuns.list(vmId) }
}

export type PerfKvmService = ReturnType<typeof createPerfKvm>
