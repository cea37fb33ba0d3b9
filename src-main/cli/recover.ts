import { parseArgs } from 'node:util'
import type { Plan } from '../../shared/model'
import { PlanError } from '../services/plans'
import { badUsage, cliServices, InputError, printJson, refusedByServices, refusedInput, terminalSafe, withServices } from './input'
import { msg } from '../../shared/i18n'
import { say, tell } from './language'
import { progressText, stepState } from './progress'

export const RECOVER_HELP = `  virtpilot recover [PLAN_ID] [--resume | --roll-back] [--data FILE] --json
      A plan cut short (VirtPilot killed, the machine down) shows as interrupted, each step with
      its last known state. Without --resume or --roll-back: reads the hosts of each interrupted
      plan (or PLAN_ID) again (where each VM is, its vCPUs and memory, which steps took effect)
      and prints the plans; nothing changes. --resume PLAN_ID runs the steps whose change does not
      show, then the rest; --roll-back PLAN_ID undoes the steps whose change shows, newest first.
      Both refuse while a step is unclear (neither its change nor the state before it shows).
      Progress on stderr. Exits 1 unless the resume or roll back finished.
`

const progressLine = (p: Plan) => p.steps.map((s) => `${s.id} ${s.state}`).join(' | ')

/** `virtpilot recover`: reads back, resumes or rolls back plans cut short by a crash. */
export async function recoverCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, resume: { type: 'boolean', default: false }, 'roll-back': { type: 'boolean', default: false }, data: { type: 'string' } },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'recover' }))
  if (positionals.length > 1) throw badUsage(msg('cli.recover.atMostOne'))
  if (values.resume && values['roll-back']) throw badUsage(msg('cli.recover.notBoth'))
  const how = values.resume ? 'resume' : values['roll-back'] ? 'roll-back' : undefined
  const id = positionals[0]
  if (how && !id) throw badUsage(msg('cli.recover.needsId', { option: `--${how}` }))
  const services = cliServices(values.data, { log: (m) => console.error(terminalSafe(m)) })
  return withServices(services, async (s) => {
    // The hosts are connected (and read once) before anything is read back or run on them.
    await s.hosts.whenPolled()
    try {
      if (!how) {
        const plans = s.plans.list().filter((p) => p.state === 'interrupted' && (!id || p.id === id))
        if (id && plans.length === 0) throw refusedInput(msg('cli.recover.noInterrupted', { file: s.file, plan: id }))
        const read: Plan[] = []
        for (const plan of plans) read.push(await s.plans.readBack(plan.id))
        for (const plan of read) {
          for (const r of plan.readBack?.steps ?? []) console.error(terminalSafe(tell(msg('cli.recover.readBack', { plan: plan.id, step: r.stepId, state: stepState(plan.steps.find((x) => x.id === r.stepId)?.state), verdict: msg(`apply.readBack.verdict.${r.verdict}`), observed: r.observedRef ?? r.observed }))))
          for (const problem of plan.readBack?.problems ?? []) console.error(terminalSafe(tell(msg('cli.recover.couldNotRead', { plan: plan.id, problem }))))
        }
        printJson(read)
        return 0
      }
      let last = ''
      const off = s.events.on('plans.changed', (p) => {
        if (p.id !== id) return
        const line = progressLine(p)
        if (line !== last) console.error(progressText(p))
        last = line
      })
      const run = await s.plans.recover(id!, how)
      const done = await run.done
      off()
      for (const o of done.outcome ?? []) console.error(terminalSafe(`${o.host}: ${say(o.summaryRef, o.summary)}`))
      printJson(done)
      return done.state === (how === 'resume' ? 'done' : 'rolled-back') ? 0 : 1
    } catch (error) {
      if (error instanceof PlanError) throw new InputError(error.message, error.ref)
      refusedByServices(error)
    }
  })
}
