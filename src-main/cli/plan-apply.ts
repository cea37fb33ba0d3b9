import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { PlanSchema, RecommendationSchema, type Plan } from '../../shared/model'
import { PlanError } from '../services/plans'
import { msg } from '../../shared/i18n'
import { asTyped, badUsage, cliServices, InputError, numberOption, printJson, readJsonFile, refusedInput, terminalSafe, withServices, writeJsonFile } from './input'
import { say } from './language'
import { progressText } from './progress'

export const PLAN_HELP = `  virtpilot plan --from RECOMMENDATIONS.json --approve ID... [--parallelism N]
                 [--allow-unsafe-migration] [--out PLAN.json] [--data FILE] --json
      Make a plan of the recommendations you approve (ids from 'recommend --json'): steps in
      order with the exact commands, their read-back and rollback (a dry run). VMs are
      addressed as the data file's inventory knows them, migration addresses come from the
      hosts' targets after ~/.ssh/config; the plan is signed with the data file's key.
  virtpilot apply PLAN.json [--dry-run] [--data FILE] --json
      Check the plan file against the data file that made it (an edited plan is refused; so is
      one whose VMs changed since), then run it on the data file's hosts: every command,
      read-back and rollback is rendered again from the step's action. Progress on stderr, the
      finished plan as JSON. A failed step stops the plan and the completed steps are rolled
      back. Exits 1 unless every step was applied. Ctrl-C cancels between steps (and aborts a
      running migration).
`

const RecommendFileSchema = z.object({ recommendations: z.array(RecommendationSchema) }).loose()

const actor = () => `${userInfo().username} (cli)`

/** `virtpilot plan`: a plan of recommendations the admin approves by id on the command line. */
export async function planCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      from: { type: 'string' },
      approve: { type: 'string', multiple: true },
      parallelism: { type: 'string', default: '1' },
      'allow-unsafe-migration': { type: 'boolean', default: false },
      out: { type: 'string' },
      data: { type: 'string' },
    },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'plan' }))
  if (!values.from) throw badUsage(msg('cli.plan.needsFrom'))
  const approve = (values.approve ?? []).flatMap((a) => a.split(',')).filter(Boolean)
  if (approve.length === 0) throw badUsage(msg('cli.plan.needsApprove'))
  const parallelism = numberOption('parallelism', values.parallelism, 1, 8, true)
  const from = values.from
  const file = readJsonFile(from, RecommendFileSchema, msg('cli.file.recommendations'))
  const byId = new Map(file.recommendations.map((r) => [r.id, r]))
  const missing = approve.filter((id) => !byId.has(id))
  if (missing.length > 0) throw refusedInput(msg('cli.plan.notIn', { file: from, items: asTyped(missing) }))
  const plan = await withServices(
    cliServices(values.data),
    async (s) => {
      try {
        return await s.plans.create({ recommendations: approve.map((id) => byId.get(id)!), parallelism, allowUnsafeMigration: values['allow-unsafe-migration'], approvedBy: actor(), idSuffix: 'cli' })
      } catch (error) {
        if (error instanceof PlanError) throw new InputError(error.message, error.ref)
        throw error
      }
    },
    false,
  )
  if (values.out) writeJsonFile(values.out, plan)
  printJson(plan)
  return 0
}

const progressLine = (p: Plan) => p.steps.map((s) => `${s.id} ${s.state}${s.progress !== undefined && s.state === 'running' ? ` ${Math.round(s.progress * 100)}%` : ''}`).join(' | ')

/** `virtpilot apply`: checks a plan file, then runs it on the data file's hosts with progress on stderr. */
export async function applyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, data: { type: 'string' } },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJson', { command: 'apply' }))
  if (positionals.length !== 1) throw badUsage(msg('cli.apply.onePlan'))
  const file = positionals[0]!
  const plan = readJsonFile(file, PlanSchema, msg('cli.file.plan'))
  const services = cliServices(values.data, { log: (m) => console.error(terminalSafe(m)) })
  return withServices(
    services,
    async (s) => {
      try {
        if (values['dry-run']) {
          await s.plans.check(plan)
          printJson({ dryRun: true, plan })
          return 0
        }
        // Read every host first: the inventory the plan is checked against is what they hold now.
        await s.start()
        await s.hosts.whenPolled()
        let last = ''
        const off = s.events.on('plans.changed', (p) => {
          if (p.id !== plan.id) return
          const line = progressLine(p)
          if (line !== last) console.error(progressText(p))
          last = line
        })
        const run = await s.plans.execute(plan)
        process.once('SIGINT', () => run.cancel())
        const done = await run.done
        off()
        for (const o of done.outcome ?? []) console.error(terminalSafe(`${o.host}: ${say(o.summaryRef, o.summary)}`))
        printJson(done)
        return done.state === 'done' ? 0 : 1
      } catch (error) {
        if (error instanceof PlanError) throw new InputError(error.message, error.ref, file)
        throw error
      }
    },
    false,
  )
}
