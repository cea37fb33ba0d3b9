import { parseArgs } from 'node:util'
import { defaultOptions, type PartialEngineOptions } from '../../shared/engine/options'
import { thresholdBalance, type MigrationThreshold } from '../../shared/engine/threshold'
import { HistoryFileSchema, SnapshotSchema, type History, type Snapshot } from '../../shared/model'
import { EngineError } from '../services/engine'
import type { Services } from '../services/services'
import { badUsage, cliServices, InputError, numberOption, printJson, readJsonFile, terminalSafe, withServices, writeJsonFile, refusedInput } from './input'
import { msg } from '../../shared/i18n'
import { hostReason } from './hosts'
import { tell } from './language'

export const RECOMMEND_HELP = `  virtpilot recommend [--data FILE | --demo | --snapshot FILE.json] [--history FILE.json]
                      [--strategy static|dynamic|hybrid] [--max-moves N] [--min-relative-gain X]
                      [--cpu-ratio X] [--mem-ratio X] [--threshold 1-5] --json
      Run the optimization engine: rightsizing, balancing by live migration (greedy, checked
      against the exact HiGHS optimum on small clusters), consolidation, tuning advice; every
      proposal is checked by the plan validator. On the data file's hosts: each is read until
      it has a complete sample, with the usage history the file holds (or --history, as
      export-history writes it). --demo uses the embedded demo cluster (nothing is written to
      the data file); --snapshot a saved snapshot. --max-moves: optional migrations (8);
      --min-relative-gain: share of the current imbalance a move must remove, plus as much
      again per minute of live migration (0.01); --cpu-ratio and --mem-ratio: allocation
      ratios every host keeps in this run, vCPUs per logical CPU and memory (else each
      host's from the data file's settings: 4 and 1 unless set). --threshold: the migration
      threshold, 1 (conservative: only moves rules and maintenance require) .. 5 (aggressive),
      as Settings shows it (else the data file's, 3 unless set); --max-moves and
      --min-relative-gain override it. The data file's placement rules and hosts in
      maintenance hold.
      Prints the recommendations with the snapshot they were made on (for 'plan').
  virtpilot export-history [--data FILE] [--days N] --out FILE.json
      Write the usage history the data file holds (5-minute rollups of each VM, the last N
      days, default 30) as JSON, the shape 'recommend --history' reads.
`

/** Seconds between the two reads a host's first complete sample needs. */
const SAMPLE_INTERVAL_MS = 5000

function engineOptions(values: { strategy: string; 'max-moves'?: string | undefined; 'min-relative-gain'?: string | undefined; 'cpu-ratio'?: string | undefined; 'mem-ratio'?: string | undefined; threshold?: string | undefined }, stored: PartialEngineOptions): PartialEngineOptions {
  const strategy = values.strategy
  if (strategy !== 'static' && strategy !== 'dynamic' && strategy !== 'hybrid') throw badUsage(msg('cli.recommend.strategy', { value: strategy }))
  const threshold = values.threshold !== undefined ? thresholdBalance(numberOption('threshold', values.threshold, 1, 5, true) as MigrationThreshold) : {}
  const balance: NonNullable<PartialEngineOptions['balance']> = { ...stored.balance, ...threshold }
  if (values['max-moves'] !== undefined) balance.maxMigrations = numberOption('max-moves', values['max-moves'], 0, 1000, true)
  if (values['min-relative-gain'] !== undefined) {
    const share = numberOption('min-relative-gain', values['min-relative-gain'], 0, 1)
    balance.minRelativeGain = share
    balance.relativeGainPerMigrationMinute = share
  }
  if (values['cpu-ratio'] !== undefined) balance.cpuOvercommit = numberOption('cpu-ratio', values['cpu-ratio'], 0.1, 64)
  if (values['mem-ratio'] !== undefined) balance.memOvercommit = numberOption('mem-ratio', values['mem-ratio'], 0.1, 4)
  return { ...stored, strategy, balance }
}

/** --cpu-ratio and --mem-ratio hold for every host of this run, over what the settings or the snapshot file say. */
function withRatios(snapshot: Snapshot, options: PartialEngineOptions): Snapshot {
  const cpu = options.balance?.cpuOvercommit
  const memory = options.balance?.memOvercommit
  if (cpu === undefined && memory === undefined) return snapshot
  return {
    ...snapshot,
    hosts: snapshot.hosts.map((h) => ({ ...h, allocationRatio: { cpu: cpu ?? h.allocationRatio?.cpu ?? defaultOptions.balance.cpuOvercommit, memory: memory ?? h.allocationRatio?.memory ?? defaultOptions.balance.memOvercommit } })),
  }
}

/** The snapshot to work on: a file, the demo, or the data file's hosts each read to a complete sample. */
export async function clusterOf(services: Services, source: 'data' | 'demo'): Promise<Snapshot> {
  if (source === 'demo') {
    await services.cluster.updateSettings({ demoEnabled: true })
    return services.cluster.snapshot()
  }
  if (services.hosts.stored().length === 0) {
    throw refusedInput(msg('cli.recommend.noHosts', { file: services.file }))
  }
  await services.start()
  const errors = await services.hosts.whenSampled(1)
  for (const [id, error] of errors) console.error(`virtpilot: ${terminalSafe(tell(msg('cli.leftOut', { host: id, reason: hostReason(services.hosts.list().find((h) => h.id === id) ?? {}, error) })))}`)
  const snapshot = services.cluster.snapshot()
  if (snapshot.hosts.length === 0) throw refusedInput(msg('cli.recommend.noneRead', { file: services.file }))
  return snapshot
}

/** `virtpilot recommend`: the engine on real hosts, the demo or a snapshot file, with history from the store or a file. */
export async function recommendCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      snapshot: { type: 'string' },
      demo: { type: 'boolean', default: false },
      history: { type: 'string' },
      strategy: { type: 'string', default: 'dynamic' },
      'max-moves': { type: 'string' },
      'min-relative-gain': { type: 'string' },
      'cpu-ratio': { type: 'string' },
      'mem-ratio': { type: 'string' },
      threshold: { type: 'string' },
      data: { type: 'string' },
    },
    strict: true,
  })
  if (!values.json) throw badUsage(msg('cli.usage.needsJsonResults', { command: 'recommend' }))
  // The options are checked before anything is opened.
  engineOptions(values, {})
  if ([values.snapshot !== undefined, values.demo, values.data !== undefined].filter(Boolean).length > 1) throw badUsage(msg('cli.recommend.oneSource'))
  const historyFile: History | undefined = values.history ? { vms: readJsonFile(values.history, HistoryFileSchema, msg('cli.file.history')).vms } : undefined
  const fromFile = values.snapshot ? readJsonFile(values.snapshot, SnapshotSchema, msg('cli.file.snapshot')) : undefined
  // The demo and snapshot files are looked at in memory: nothing of theirs goes into the admin's data file.
  const services = cliServices(fromFile || values.demo ? ':memory:' : values.data, { hostPollIntervalMs: SAMPLE_INTERVAL_MS, demo: values.demo ? 'settings' : 'off' })
  return withServices(
    services,
    async (s) => {
      // The data file's rules and migration threshold, under what the command line says.
      const options = engineOptions(values, s.rules.engineOptions())
      const snapshot = withRatios(fromFile ?? (await clusterOf(s, values.demo ? 'demo' : 'data')), options)
      const now = Math.max(Date.now(), snapshot.t)
      const history = historyFile ?? (fromFile ? { vms: {} } : await s.history.usage(snapshot.vms.map((v) => v.id), now))
      try {
        const output = await s.engine.run({ snapshot, history, now, options, discovered: s.hosts.facts(), storage: s.storage.window(now) })
        // The snapshot goes along so `virtpilot plan` can check the VMs are still as they were seen.
        printJson({ ...output, snapshot })
      } catch (error) {
        if (error instanceof EngineError) throw new InputError(error.message, error.messageRef)
        throw error
      }
      return 0
    },
    false,
  )
}

/** `virtpilot export-history`: the data file's usage history as JSON. */
export async function exportHistoryCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { data: { type: 'string' }, out: { type: 'string' }, days: { type: 'string', default: '30' } }, strict: true })
  if (positionals.length > 0) throw badUsage(msg('cli.exportHistory.noArgument'))
  if (!values.out) throw badUsage(msg('cli.exportHistory.needsOut'))
  const days = numberOption('days', values.days, 1, 90, true)
  const out = values.out
  return withServices(
    cliServices(values.data),
    async (s) => {
      const file = await s.history.exportFile(days * 24 * 3600_000)
      writeJsonFile(out, file)
      console.error(tell(msg('cli.recommend.historyWritten', { count: Object.keys(file.vms).length, file: out })))
      return 0
    },
    false,
  )
}
