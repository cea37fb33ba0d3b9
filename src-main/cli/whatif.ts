import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ApiFailure } from '../../shared/api'
import { PolicySetSchema, type PolicySet, type Scenario } from '../../shared/model/scenario'
import { scenarioFromDemo } from '../whatif/build'
import { EXAMPLES, exampleScenario, type ExampleId } from '../whatif/examples'
import { parsePolicy, policyLabel } from '../whatif/policy-syntax'
import { importInWorker } from '../whatif/import'
import { workerRunner } from '../whatif/run'
import { ScenarioInputError } from '../whatif/scenario-file'
import { terminalJson, terminalText } from '../text/terminal'
import { msg } from '../../shared/i18n'
import { asTyped, badUsage, UsageError } from './input'
import { say, sayError, sayProblem, tell } from './language'

export const WHATIF_HELP = `  virtpilot whatif (SCENARIO.json | --import-trace DIR | --demo | --example NAME) [--policy SPEC]...
                  [--seed N] [--save-scenario FILE] --json
      Replay a scenario offline under up to 4 policy sets and print the comparison as JSON
      (unmet demand, host utilization, migrations, host-hours, queue waits, memory overcommit,
      disk use and requests rejected for disk where hosts have disk capacity).
      --import-trace DIR reads Bitbrains GWA-T-12 per-VM files and/or generic CSVs
      (vm,timestamp,cpu,mem[,vcpus,memory,host]) into a scenario; --demo uses the demo cluster;
      --example seed-article is the article's VM A / VM B host, compared under static, dynamic
      and hybrid allocation and FCFS, SJF and priority scheduling, with an explanation in
      English and Chinese.
      SPEC: key=value pairs, e.g. alloc=hybrid,sched=easy,balance=on,balance.every=120,
      consolidate=on,headroom=0.2 (keys: alloc, sched, aging, max-wait, cpu-overcommit,
      mem-overcommit, disk-overcommit, balance, balance.every, balance.threshold, balance.min-gain,
      balance.max-moves, consolidate, consolidate.every, headroom, name). Without --policy:
      static, dynamic and hybrid. Exit 1 on an invalid scenario or trace (the message names
      the line or field), 2 on bad usage.
`

const MAX_POLICIES = 4

/** `virtpilot whatif ...`: returns the exit code; prints JSON on stdout, problems on stderr. */
export async function whatifCommand(args: string[]): Promise<number> {
  let values: { json?: boolean; policy?: string[]; seed?: string; 'import-trace'?: string; demo?: boolean; example?: string; 'save-scenario'?: string }
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        policy: { type: 'string', multiple: true },
        seed: { type: 'string', default: '1' },
        'import-trace': { type: 'string' },
        demo: { type: 'boolean', default: false },
        example: { type: 'string' },
        'save-scenario': { type: 'string' },
      },
      strict: true,
    }))
  } catch (error) {
    return usage((error as Error).message)
  }
  try {
    const sources = [positionals.length > 0, values['import-trace'] !== undefined, values.demo, values.example !== undefined].filter(Boolean).length
    if (!values.json) throw badUsage(msg('cli.usage.needsJsonResults', { command: 'whatif' }))
    if (sources !== 1 || positionals.length > 1) throw badUsage(msg('cli.whatif.oneSource'))
    if (values.example !== undefined && !(EXAMPLES as readonly string[]).includes(values.example)) throw badUsage(msg('cli.whatif.noExample', { name: JSON.stringify(values.example), items: asTyped(EXAMPLES) }))
    const example = values.example !== undefined ? exampleScenario(values.example as ExampleId) : undefined
    const seed = Number(values.seed)
    if (!Number.isInteger(seed) || seed < 0) throw badUsage(msg('cli.whatif.seed', { value: values.seed ?? '' }))
    const specs = values.policy ?? []
    if (specs.length > MAX_POLICIES) throw badUsage(msg('cli.whatif.tooManyPolicies', { max: MAX_POLICIES, count: specs.length }))

    const policies: PolicySet[] =
      specs.length > 0
        ? specs.map(parsePolicy)
        : (example?.policies ?? (['static', 'dynamic', 'hybrid'] as const).map((allocation) => PolicySetSchema.parse({ allocation })))
    let scenario: Scenario
    let importStats: unknown
    if (example) {
      scenario = example.scenario
    } else if (values.demo) {
      scenario = scenarioFromDemo()
    } else {
      // Files are read in a worker thread with memory and time limits (src-main/whatif/limits.ts).
      const imported = await importInWorker(values['import-trace'] !== undefined ? { dir: values['import-trace'] } : { file: positionals[0]! })
      scenario = JSON.parse(imported.data) as Scenario
      importStats = imported.stats
    }
    if (values['save-scenario']) writeFileSync(values['save-scenario'], JSON.stringify(scenario) + '\n')
    const result = await workerRunner()({ scenario, policies, seed })
    const output = {
      scenario: result.scenario,
      ...(importStats ? { import: importStats } : {}),
      ...(example ? { example: { id: values.example, explanation: example.explanation } } : {}),
      seed,
      runs: result.runs.map((r) => ({ label: policyLabel(r.policy), policy: r.policy, metrics: r.metrics, events: r.events, eventsDropped: r.eventsDropped })),
    }
    process.stdout.write(terminalJson(output) + '\n')
    return 0
  } catch (error) {
    if (error instanceof UsageError) return usage(sayError(error))
    const refused = error instanceof ScenarioInputError ? error.toApiFailure() : error
    if (refused instanceof ApiFailure && refused.code === 'bad-request') {
      console.error(terminalText(`virtpilot: ${failureText(refused)}`))
      return 1
    }
    throw error
  }
}

/** A refused input in the CLI's language: what is wrong, then each line (its own words where VirtPilot has none). */
function failureText(error: ApiFailure): string {
  const lines = (error.details ?? []).slice(0, 20).map((text, i) => sayProblem({ text, ref: error.detailRefs?.[i] ?? null }))
  return [say(error.messageRef, error.message), ...lines].join('\n  ')
}

function usage(message: string): number {
  console.error(`virtpilot: ${message}`)
  console.error(tell(msg('cli.seeHelp')))
  return 2
}
