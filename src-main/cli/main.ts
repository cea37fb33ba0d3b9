import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pkg from '../../package.json'
import { checkServeOptions, isLoopback, ServeRefusal, startServer } from '../server/server'
import { terminalJson, terminalText } from '../text/terminal'
import { createServices } from '../services/services'
import { resolveDataFile } from '../store/paths'
import { COLLECT_HELP, collectCommand } from './collect'
import { HOSTS_HELP, hostsCommand } from './hosts'
import { badUsage, InputError, refusedInput, UsageError } from './input'
import { msg } from '../../shared/i18n'
import { PERF_KVM_MAX_SECONDS } from '../../shared/model'
import { helpIn } from './help'
import { cliLanguage, LanguageError, sayError, sayRefusal, settleLanguage, tell } from './language'
import { applyCommand, PLAN_HELP, planCommand } from './plan-apply'
import { exportHistoryCommand, RECOMMEND_HELP, recommendCommand } from './recommend'
import { RECOVER_HELP, recoverCommand } from './recover'
import { REQUEST_HELP, requestCommand } from './request'
import { PERF_HELP, perfCommand } from './perf'
import { MAINTENANCE_HELP, maintenanceCommand, RULES_HELP, rulesCommand } from './rules'
import { AUTOMATION_HELP, automationCommand } from './automation'
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
  virtpilot demo --json [--at TIME] [--data FILE]
      Print one snapshot of the embedded demo cluster (hosts, VMs, latest samples) as JSON.
      --at (ISO 8601 or epoch ms) picks the moment of its replayed traces: the same TIME gives
      the same snapshot.
${HOSTS_HELP.trimEnd()}
${COLLECT_HELP.trimEnd()}
${RECOMMEND_HELP.trimEnd()}
${REQUEST_HELP.trimEnd()}
${PLAN_HELP.trimEnd()}
${RECOVER_HELP.trimEnd()}
${RULES_HELP.trimEnd()}
${MAINTENANCE_HELP.trimEnd()}
${AUTOMATION_HELP.trimEnd()}
${WHATIF_HELP.trimEnd()}
${PERF_HELP.trimEnd()}
  virtpilot COMMAND --help | virtpilot --help | --version

Options:
  --data FILE   SQLite data file (default: $VIRTPILOT_DATA, else the app's user-data folder)
  --lang L      en or zh-CN: the language of messages and errors (default: from LANG, else en);
                --json output stays the same: English text with each message's key and values

Exit codes: 0 ok, 1 failed, 2 bad usage.
`


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
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badUsage(msg('cli.serve.port', { value: values.port }))
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw badUsage(msg('cli.serve.tlsPair'))
  const tls = values['tls-cert'] && values['tls-key'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) } : undefined
  const publicNames = values['public-name'] ?? []
  const bad = publicNames.find((n) => !/^[A-Za-z0-9.-]{1,253}$/.test(n))
  if (bad !== undefined) throw badUsage(msg('cli.serve.publicName', { value: JSON.stringify(bad) }))
  try {
    checkServeOptions({ host: values.host, ...(tls ? { tls } : {}), publicNames })
  } catch (error) {
    if (error instanceof ServeRefusal) throw new UsageError(error.message, error.ref)
    throw error
  }
  const dir = rendererDir()
  if (!existsSync(join(dir, 'index.html'))) throw refusedInput(msg('cli.serve.notBuilt', { file: join(dir, 'index.html') }))
  const services = createServices({ transport: 'serve', dataFile: resolveDataFile(values.data), version: pkg.version })
  await services.start()
  const server = await startServer({ services, rendererDir: dir, host: values.host, port, ...(tls ? { tls } : {}), publicNames })
  if (!isLoopback(values.host)) {
    console.error(tell(msg('cli.publicWarning', { host: values.host })))
  }
  console.log(`VirtPilot is serving at ${server.url}`)
  console.log(`Data file: ${services.file}`)
  const shutdown = async () => {
    await server.close()
    await services.stop()
    process.exit(0)
  }
  process.once('SIGINT', () => void shutdown())
  process.once('SIGTERM', () => void shutdown())
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, at: { type: 'string' }, data: { type: 'string' } }, strict: true })
  if (!values.json) throw badUsage(msg('cli.demo.needsJson'))
  const at = values.at === undefined ? undefined : /^\d+$/.test(values.at) ? Number(values.at) : Date.parse(values.at)
  if (at !== undefined && !Number.isFinite(at)) throw badUsage(msg('cli.demo.at', { value: values.at! }))
  // An in-memory store unless asked otherwise: a one-shot look should not write history.
  const services = createServices({ transport: 'cli', prompter: terminalPrompter(), dataFile: values.data ?? ':memory:', version: pkg.version, ...(at !== undefined ? { clock: () => at } : {}) })
  try {
    await services.cluster.updateSettings({ demoEnabled: true })
    await services.start()
    process.stdout.write(terminalJson(services.cluster.snapshot()) + '\n')
  } finally {
    await services.stop()
  }
}

/** Each subcommand's own usage, for `virtpilot COMMAND --help`. */
const COMMAND_HELP: Record<string, string> = {
  serve: HELP.slice(HELP.indexOf('  virtpilot serve'), HELP.indexOf('  virtpilot demo')),
  demo: HELP.slice(HELP.indexOf('  virtpilot demo'), HELP.indexOf(HOSTS_HELP.trimEnd())),
  hosts: HOSTS_HELP,
  collect: COLLECT_HELP,
  recommend: RECOMMEND_HELP,
  'export-history': RECOMMEND_HELP.slice(RECOMMEND_HELP.indexOf('  virtpilot export-history')),
  request: REQUEST_HELP,
  plan: PLAN_HELP,
  apply: PLAN_HELP.slice(PLAN_HELP.indexOf('  virtpilot apply')),
  recover: RECOVER_HELP,
  rules: RULES_HELP,
  maintenance: MAINTENANCE_HELP,
  automation: AUTOMATION_HELP,
  whatif: WHATIF_HELP,
  'perf-kvm': PERF_HELP,
}

/**
 * `virtpilot ARGS`: the exit code (-1: still serving). The command itself is entry.ts; the tests
 * call this in-process too, which spares them starting a process per run.
 */
export async function main(args: string[]): Promise<number> {
  let argv: string[]
  try {
    argv = settleLanguage(args, process.env)
  } catch (error) {
    if (!(error instanceof LanguageError)) throw error
    console.error(`virtpilot: ${terminalText(sayError(error))}`)
    return 2
  }
  const [command, ...rest] = argv
  if (command !== undefined && Object.hasOwn(COMMAND_HELP, command) && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(helpIn(`Usage:\n${COMMAND_HELP[command]}`, cliLanguage(), { max: PERF_KVM_MAX_SECONDS }))
    return 0
  }
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(helpIn(HELP, cliLanguage(), { max: PERF_KVM_MAX_SECONDS }))
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
      case 'hosts':
        return await hostsCommand(rest)
      case 'collect':
        return await collectCommand(rest)
      case 'recommend':
        return await recommendCommand(rest)
      case 'export-history':
        return await exportHistoryCommand(rest)
      case 'request':
        return await requestCommand(rest)
      case 'plan':
        return await planCommand(rest)
      case 'apply':
        return await applyCommand(rest)
      case 'recover':
        return await recoverCommand(rest)
      case 'rules':
        return await rulesCommand(rest)
      case 'maintenance':
        return await maintenanceCommand(rest)
      case 'automation':
        return await automationCommand(rest)
      case 'whatif':
        return await whatifCommand(rest)
      case 'perf-kvm':
        return await perfCommand(rest)
      default:
        throw badUsage(msg('cli.unknownCommand', { command: JSON.stringify(command) }))
    }
  } catch (error) {
    if (error instanceof InputError) {
      // What the admin typed comes back in errors: it must not drive the terminal either.
      console.error(`virtpilot: ${terminalText(`${error.about ? `${error.about}: ` : ''}${sayRefusal(error.text, error.ref, error.problems)}`)}`)
      return 1
    }
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    console.error(`virtpilot: ${terminalText(sayError(error))}`)
    if (usage) console.error(tell(msg('cli.seeHelp')))
    return usage ? 2 : 1
  }
}
