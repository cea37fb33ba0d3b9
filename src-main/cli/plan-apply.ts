import { writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { z } from 'zod'
import { PlanSchema, RecommendationSchema, SnapshotSchema, type Plan } from '../../shared/model'
import { runPlan } from '../apply/executor'
import { buildPlan, commandContext, PlanError } from '../apply/plan-builder'
import { libvirtTunnel } from '../apply/tunnel'
import { terminalText } from '../text/terminal'
import { renderAction, type CommandContext } from '../hosts/libvirt/commands'
import { createServices } from '../services/services'
import { resolveTarget } from '../ssh/resolve'
import { parseTarget } from '../ssh/target'
import { Store } from '../store/store'
import { InputError, readJsonFile } from './recommend'
import { terminalPrompter } from './terminal-prompter'

const RecommendFileSchema = z.object({ recommendations: z.array(RecommendationSchema), snapshot: SnapshotSchema })

/** Migration addresses of the hosts the data file knows (as added in the app or with hosts.add). */
function addressesFrom(dataFile: string): (hostId: string) => string | undefined {
  const store = new Store(dataFile)
  try {
    const rows = store.listManagedHosts()
    const map = new Map(rows.map((r) => [r.id, resolveTarget(parseTarget(r.target)).hostName]))
    return (hostId) => map.get(hostId)
  } finally {
    store.close()
  }
}

/** `virtpilot plan`: a plan from recommendations the admin approves by id on the command line. */
export function planCommand(input: { from: string; approve: string[]; parallelism: number; allowUnsafeMigration: boolean; dataFile: string }): Plan {
  const file = readJsonFile(input.from, RecommendFileSchema, 'the output of `virtpilot recommend --json`')
  const byId = new Map(file.recommendations.map((r) => [r.id, r]))
  const missing = input.approve.filter((id) => !byId.has(id))
  if (missing.length > 0) throw new InputError(`Not in ${input.from}: ${missing.join(', ')}`)
  const now = Date.now()
  try {
    return buildPlan({
      id: `plan-${new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15)}-cli`,
      now,
      approvedBy: `${userInfo().username} (cli)`,
      recommendations: input.approve.map((id) => byId.get(id)!),
      snapshot: file.snapshot,
      ctx: commandContext(file.snapshot, addressesFrom(input.dataFile), input.allowUnsafeMigration),
      parallelism: input.parallelism,
    })
  } catch (error) {
    if (error instanceof PlanError) throw new InputError(error.message)
    throw error
  }
}

/**
 * A plan file is checked, not trusted: every command must be exactly what the renderer makes of
 * the step's action, with the VM's UUID and the migration address taken from the file itself.
 */
export function checkPlanFile(plan: Plan): CommandContext {
  const uuids = new Map<string, string>()
  const addresses = new Map<string, string>()
  for (const step of plan.steps) {
    for (const cmd of [...step.commands, ...step.rollbackCommands]) {
      const i = cmd.argv.indexOf('--domain')
      if (i >= 0 && 'vm' in step.action) uuids.set(step.action.vm, cmd.argv[i + 1]!)
      const m = cmd.argv.indexOf('--migrateuri')
      if (m >= 0) {
        const action = cmd === step.commands[0] ? step.action : step.rollback
        if (action.kind === 'migrate') addresses.set(action.to, cmd.argv[m + 1]!.replace(/^tcp:\/\//, ''))
      }
    }
  }
  const ctx: CommandContext = { uuidOf: (vm) => uuids.get(vm), migrationAddressOf: (h) => addresses.get(h), allowUnsafeMigration: plan.allowUnsafeMigration }
  for (const step of plan.steps) {
    const expected = JSON.stringify([renderAction(step.action, ctx), renderAction(step.rollback, ctx)])
    if (expected !== JSON.stringify([step.commands, step.rollbackCommands])) {
      throw new InputError(`${step.id} (${step.title}): its commands are not what VirtPilot makes of its action; the plan file was changed. Make a new plan.`)
    }
  }
  return ctx
}

/** `virtpilot apply`: runs a plan file on the hosts of the data file, printing progress on stderr. */
export async function applyCommand(input: { file: string; dryRun: boolean; dataFile: string; version: string }): Promise<{ plan: Plan; ok: boolean }> {
  const plan = readJsonFile(input.file, PlanSchema, 'a VirtPilot plan')
  if (plan.state !== 'ready') throw new InputError(`${input.file} is ${plan.state}; only a ready plan can be applied`)
  const ctx = checkPlanFile(plan)
  if (input.dryRun) return { plan, ok: true }

  const services = createServices({ transport: 'cli', prompter: terminalPrompter(), dataFile: input.dataFile, version: input.version, unknownHostKeys: 'refuse', log: (m) => console.error(terminalText(m)) })
  try {
    await services.store.updateSettings({ demoEnabled: false })
    await services.start()
    await services.hosts.whenPolled()
    const hosts = [...new Set(plan.steps.flatMap((s) => [...s.commands, ...s.verify].map((c) => c.host)))]
    const missing = hosts.filter((h) => !services.hosts.connectionOf(h))
    if (missing.length > 0) throw new InputError(`${input.dataFile} has no host named ${missing.join(', ')} (add them in the app first)`)
    services.applyStore.savePlan(plan)
    let last = ''
    const run = runPlan(plan, {
      store: services.applyStore,
      ctx,
      exec: async (host, argv, timeoutMs) => {
        const conn = services.hosts.connectionOf(host)!
        await conn.connect()
        return conn.exec(argv, { timeoutMs })
      },
      tunnel: (from, to) => libvirtTunnel(services.hosts.connectionOf(from)!, services.hosts.connectionOf(to)!),
      clock: Date.now,
      actor: `${userInfo().username} (cli)`,
      onUpdate: (p) => {
        const line = p.steps.map((s) => `${s.id} ${s.state}${s.progress !== undefined && s.state === 'running' ? ` ${Math.round(s.progress * 100)}%` : ''}`).join(' | ')
        if (line !== last) console.error(`[${p.state}] ${line}`)
        last = line
      },
    })
    process.once('SIGINT', () => run.cancel())
    const done = await run.done
    // Step messages carry host output: written so it cannot drive the terminal.
    for (const o of done.outcome ?? []) console.error(terminalText(`${o.host}: ${o.summary}`))
    return { plan: done, ok: done.state === 'done' }
  } finally {
    await services.stop()
  }
}

export function writePlan(plan: Plan, out: string | undefined): void {
  if (out) writeFileSync(out, `${JSON.stringify(plan, null, 2)}\n`)
}
