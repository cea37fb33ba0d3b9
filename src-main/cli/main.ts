import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pkg from '../../package.json'
import { checkServeOptions, isLoopback, ServeRefusal, startServer } from '../server/server'
import { terminalJson, terminalText } from '../text/terminal'
import { createServices } from '../services/services'
import { defaultDataDir, resolveDataFile } from '../store/paths'
import { collect } from './collect'
import { applyCommand, planCommand, writePlan } from './plan-apply'
import { factsFor, InputError, loadSolver, readSnapshotFile, recommendFor, storedHistory } from './recommend'
import { terminalPrompter } from './terminal-prompter'
import { WHATIF_HELP, whatifCommand } from './whatif'

const HELP = `virtpilot ${pkg.version} — right-size, balance and tune small KVM/libvirt labs

Usage:
  virtpilot serve [--host ADDR] [--port N] [--data FILE]
                  [--tls-cert FILE --tls-key FILE] [--public-name NAME]...
      Serve the app to a browser. Prints a URL with a one-time access token.
      Binds to 127.0.0.1 unless --host says otherwise; --port 0 picks a free port.
      Any other address needs --tls-cert and --tls-key (PEM; HTTPS and WSS): the token
      and SSH passwords must not cross a network in clear. Requests must name this
      server in their Host header: the bind address, or a --public-name (needed for
      0.0.0.0 and ::).
  virtpilot demo --json [--data FILE]
      Print one snapshot of the embedded demo cluster (hosts, VMs, latest samples) as JSON.
  virtpilot collect TARGET... [--accept-new] [--samples N] [--interval S] --json
      Connect over SSH, discover each host's inventory and print the last of N samples
      (default 1, taken S seconds apart, default 2). TARGET: user@host[:port], a
      ~/.ssh/config alias, or qemu+ssh://user@host[:port]/system. Unknown host keys are
      refused unless --accept-new. Exits 1 when a host could not be read.
  virtpilot recommend [--snapshot FILE.json] [--strategy static|dynamic|hybrid] [--data FILE] --json
      Run the optimization engine: rightsizing, balancing by live migration (greedy, checked
      against the exact HiGHS optimum on small clusters), consolidation. Without --snapshot it
      uses the stored hosts, else the embedded demo cluster, with the history in the data file.
  virtpilot plan --from RECOMMENDATIONS.json --approve ID... [--parallelism N]
                 [--allow-unsafe-migration] [--out PLAN.json] [--data FILE] --json
      Make a plan of the recommendations you approve (ids from 'recommend --json'): steps in
      order with the exact commands, their read-back and rollback (a dry run).
  virtpilot apply PLAN.json [--dry-run] [--data FILE] --json
      Check the plan file (every command must be what VirtPilot makes of its action), then run
      it on the hosts added in the data file: progress on stderr, the finished plan as JSON.
      A failed step stops the plan and the completed steps are rolled back. Exits 1 unless
      every step was applied. Ctrl-C cancels between steps (and aborts a running migration).
${WHATIF_HELP.trimEnd()}
  virtpilot --help | --version

Options:
  --data FILE   SQLite data file (default: $VIRTPILOT_DATA, else the app's user-data folder)

Exit codes: 0 ok, 1 failed, 2 bad usage.
`

class UsageError extends Error {}

function rendererDir(): string {
  // Built CLI: out/main/cli.js -> out/renderer; from source: src-main/cli -> out/renderer.
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, '..', 'renderer'), join(here, '..', '..', 'out', 'renderer')]
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7420' },
      data: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'public-name': { type: 'string', multiple: true },
    },
    strict: true,
  })
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${values.port}`)
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together')
  const tls = values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } : undefined
  const publicNames = values['public-name'] ?? []
  const bad = publicNames.find((n) => !/^[A-Za-z0-9.-]{1,253}$/.test(n))
  if (bad !== undefined) throw new UsageError(`--public-name must be a host name, got ${JSON.stringify(bad)}`)
  try {
    checkServeOptions({ host: values.host, ...(tls ? { tls } : {}), publicNames })
  } catch (error) {
    if (error instanceof ServeRefusal) throw new UsageError(error.message)
    throw error
  }
  const dir = rendererDir()
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`The renderer is not built (no ${join(dir, 'index.html')}). Run: npm run build`)
  const services = createServices({ transport: 'serve', dataFile: resolveDataFile(values.data), version: pkg.version })
  await services.start()
  const server = await startServer({ services, rendererDir: dir, host: values.host, port, ...(tls ? { tls } : {}), publicNames })
  if (!isLoopback(values.host)) {
    console.error(`Warning: serving on ${values.host} over HTTPS: anyone who can reach it and learns the token controls VirtPilot, including applying plans on your hosts.`)
  }
  console.log(`VirtPilot is serving at ${server.url}`)
  console.log(`Data file: ${services.store.file}`)
  const shutdown = async () => {
    await server.close()
    await services.stop()
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown())
  process.once('SIGTERM', () => void shutdown())
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, data: { type: 'string' } }, strict: true })
  if (!values.json) throw new UsageError('demo needs --json (the snapshot is printed as JSON)')
  // An in-memory store unless asked otherwise: a one-shot look should not write history.
  const services = createServices({ transport: 'cli', prompter: terminalPrompter(), dataFile: values.data ?? ':memory:', version: pkg.version })
  try {
    await services.store.updateSettings({ demoEnabled: true })
    await services.start()
    process.stdout.write(terminalJson(services.snapshot()) + '\n')
  } finally {
    await services.stop()
  }
}

async function collectCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'accept-new': { type: 'boolean', default: false },
      samples: { type: 'string', default: '1' },
      interval: { type: 'string', default: '2' },
    },
    strict: true,
  })
  if (!values.json) throw new UsageError('collect needs --json (results are printed as JSON)')
  if (positionals.length === 0) throw new UsageError('collect needs at least one TARGET')
  const samples = Number(values.samples)
  const interval = Number(values.interval)
  if (!Number.isInteger(samples) || samples < 1 || samples > 1000) throw new UsageError(`--samples must be 1-1000, got ${values.samples}`)
  if (!(interval >= 0.1 && interval <= 3600)) throw new UsageError(`--interval must be 0.1-3600 seconds, got ${values.interval}`)
  const results = await collect({
    targets: positionals,
    samples,
    intervalMs: interval * 1000,
    acceptNew: values['accept-new'],
    dataDir: process.env.VIRTPILOT_DATA ? dirname(process.env.VIRTPILOT_DATA) : defaultDataDir(),
    ...(process.env.VIRTPILOT_SSH_DIR ? { sshDir: process.env.VIRTPILOT_SSH_DIR } : {}),
    prompter: terminalPrompter(),
  })
  process.stdout.write(terminalJson({ hosts: results }) + '\n')
  for (const r of results.filter((r) => !r.ok)) console.error(terminalText(`virtpilot: ${r.target}: ${r.error}`))
  return results.every((r) => r.ok) ? 0 : 1
}

async function recommendCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      snapshot: { type: 'string' },
      strategy: { type: 'string', default: 'dynamic' },
      data: { type: 'string' },
    },
    strict: true,
  })
  if (!values.json) throw new UsageError('recommend needs --json (results are printed as JSON)')
  const strategy = values.strategy
  if (strategy !== 'static' && strategy !== 'dynamic' && strategy !== 'hybrid') throw new UsageError(`--strategy must be static, dynamic or hybrid, got ${strategy}`)
  const now = Date.now()
  const solver = await loadSolver()
  if (values.snapshot) {
    const snapshot = readSnapshotFile(values.snapshot)
    const output = await recommendFor({ snapshot, history: { vms: {} }, now: Math.max(now, snapshot.t), strategy, solver, facts: factsFor(snapshot) })
    process.stdout.write(terminalJson({ ...output, snapshot }) + '\n')
    return 0
  }
  const services = createServices({ transport: 'cli', prompter: terminalPrompter(), dataFile: values.data ?? resolveDataFile(undefined), version: pkg.version, unknownHostKeys: 'refuse', log: () => {} })
  try {
    await services.start()
    await services.hosts.whenPolled()
    const snapshot = services.snapshot()
    if (snapshot.hosts.length === 0) throw new InputError('No hosts: add one in the app, turn the demo cluster on, or pass --snapshot FILE.json')
    const output = await recommendFor({ snapshot, history: storedHistory(services, snapshot, now), now, strategy, solver, facts: factsFor(snapshot, services.hosts.facts()) })
    // The snapshot goes along so `virtpilot plan` can address the VMs exactly as they were seen.
    process.stdout.write(terminalJson({ ...output, snapshot }) + '\n')
    return 0
  } finally {
    await services.stop()
  }
}

async function planCli(args: string[]): Promise<number> {
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
  if (!values.json) throw new UsageError('plan needs --json')
  if (!values.from) throw new UsageError('plan needs --from RECOMMENDATIONS.json')
  const approve = (values.approve ?? []).flatMap((a) => a.split(',')).filter(Boolean)
  if (approve.length === 0) throw new UsageError('plan needs at least one --approve ID')
  const parallelism = Number(values.parallelism)
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 8) throw new UsageError(`--parallelism must be 1-8, got ${values.parallelism}`)
  const plan = planCommand({ from: values.from, approve, parallelism, allowUnsafeMigration: values['allow-unsafe-migration'], dataFile: values.data ?? resolveDataFile(undefined) })
  writePlan(plan, values.out)
  process.stdout.write(`${terminalJson(plan)}\n`)
  return 0
}

async function applyCli(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, data: { type: 'string' } },
    strict: true,
  })
  if (!values.json) throw new UsageError('apply needs --json')
  if (positionals.length !== 1) throw new UsageError('apply needs exactly one PLAN.json')
  const { plan, ok } = await applyCommand({ file: positionals[0]!, dryRun: values['dry-run'], dataFile: values.data ?? resolveDataFile(undefined), version: pkg.version })
  process.stdout.write(`${terminalJson(values['dry-run'] ? { dryRun: true, plan } : plan)}\n`)
  return ok ? 0 : 1
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(HELP)
        return 0
      case '--version':
        console.log(pkg.version)
        return 0
      case 'serve':
        await serve(rest)
        return -1 // keeps running
      case 'demo':
        await demo(rest)
        return 0
      case 'collect':
        return await collectCommand(rest)
      case 'recommend':
        return await recommendCommand(rest)
      case 'plan':
        return await planCli(rest)
      case 'apply':
        return await applyCli(rest)
      case 'whatif':
        return await whatifCommand(rest)
      default:
        throw new UsageError(`Unknown command ${JSON.stringify(command)}`)
    }
  } catch (error) {
    if (error instanceof InputError) {
      console.error(terminalText(`virtpilot: ${error.message}`))
      return 1
    }
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    console.error(terminalText(`virtpilot: ${(error as Error).message}`))
    if (usage) console.error('Run `virtpilot --help` for usage.')
    return usage ? 2 : 1
  }
}

const code = await main(process.argv.slice(2))
if (code >= 0) process.exitCode = code
