import { parseArgs } from 'node:util'
import { ApiFailure } from '../../shared/api'
import { PERF_KVM_MAX_SECONDS } from '../../shared/model'
import { badUsage, cliServices, InputError, printJson, refusedInput, terminalSafe, withServices } from './input'
import { msg } from '../../shared/i18n'
import { tell } from './language'

export const PERF_HELP = `  virtpilot perf-kvm VM [--seconds N] [--run] [--data FILE] --json
      VM exits of one running VM (name or id) by reason, from \`perf kvm stat record -p <its
      QEMU process>\` for N seconds (default 10, at most ${PERF_KVM_MAX_SECONDS}) then \`perf kvm stat report\`,
      run over SSH on its host. Needs perf on the host and root there (the SSH user as root, or
      passwordless sudo). Without --run: prints the exact command and changes nothing. With
      --run: runs it, keeps the report with the VM's history and prints it. Exits 1 unless a
      report came back.
`

/** `virtpilot perf-kvm`: perf kvm stat on demand, shown before it runs. */
export async function perfCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, run: { type: 'boolean', default: false }, seconds: { type: 'string', default: '10' }, data: { type: 'string' } },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'perf-kvm' }))
  if (positionals.length !== 1) throw badUsage(msg('cli.perf.oneVm'))
  const seconds = Number(values.seconds)
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > PERF_KVM_MAX_SECONDS) throw badUsage(msg('cli.perf.seconds', { max: PERF_KVM_MAX_SECONDS, value: values.seconds }))
  const services = cliServices(values.data, { log: (m) => console.error(terminalSafe(m)) })
  return withServices(services, async (s) => {
    // One poll first: it finds the VM's QEMU process on its host.
    await s.hosts.whenPolled()
    const named = positionals[0]!
    const vm = s.cluster.snapshot().vms.find((v) => v.id === named || v.name === named)
    if (!vm) throw refusedInput(msg('cli.perf.noVm', { vm: named, file: s.file }))
    try {
      const preview = s.perfKvm.preview(vm.id, seconds)
      console.error(terminalSafe(`${tell(msg('cli.perf.preview', { host: preview.hostId, vm: vm.name, pid: preview.pid }))}\n${preview.command}`))
      if (!values.run) {
        printJson(preview)
        return 0
      }
      console.error(tell(msg('cli.perf.recording', { seconds })))
      const run = await s.perfKvm.run(vm.id, seconds)
      if (run.message) console.error(terminalSafe(`${run.status}: ${run.message}`))
      printJson(run)
      return run.status === 'done' ? 0 : 1
    } catch (error) {
      if (error instanceof ApiFailure) throw new InputError(error.message, error.messageRef)
      throw error
    }
  })
}
