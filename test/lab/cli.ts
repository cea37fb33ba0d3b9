// The lab's command line: `tsx test/lab/cli.ts up|down|status ...` (npm run lab:up / lab:down).
import { parseArgs } from 'node:util'
import type { LabDescription } from './description'
import { readLabDescription } from './description'
import { LabOptionError, startLab } from './lab'
import { DEFAULT_BASE, DEFAULT_CACHE } from './paths'
import { LabPrerequisiteError } from './prerequisites'
import { stopLab } from './teardown'

const USAGE = `usage:
  tsx test/lab/cli.ts up --hosts N --guests M [--burn GUEST=N]... [--base DIR] [--cache DIR]
                         [--name vplab] [--host-prefix h] [--subnet 10.200.0] [--memory MiB]
  tsx test/lab/cli.ts down [--base DIR] [--name vplab] [--keep]
  tsx test/lab/cli.ts status [--base DIR]

  --base   folder the lab owns, deleted by down (default $VIRTPILOT_LAB_BASE or ${DEFAULT_BASE})
  --cache  guest kernel + initramfs + QEMU probe, kept (default $VIRTPILOT_LAB_CACHE or ${DEFAULT_CACHE})
  --burn   h1-vm1=1 makes that guest run one busy loop from boot (repeatable)
Needs root and Debian packages; see test/lab/README.md.`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    options: {
      hosts: { type: 'string' },
      guests: { type: 'string' },
      burn: { type: 'string', multiple: true },
      base: { type: 'string' },
      cache: { type: 'string' },
      name: { type: 'string' },
      'host-prefix': { type: 'string' },
      subnet: { type: 'string' },
      memory: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help || command === undefined) {
    console.log(USAGE)
    return command === undefined ? 2 : 0
  }
  const base = values.base ?? process.env.VIRTPILOT_LAB_BASE ?? DEFAULT_BASE
  const log = (line: string) => console.error(`lab: ${line}`)

  switch (command) {
    case 'up': {
      const started = Date.now()
      const lab = await startLab({
        hosts: integer('--hosts', values.hosts ?? '3'),
        guests: integer('--guests', values.guests ?? '2'),
        base,
        cache: values.cache ?? process.env.VIRTPILOT_LAB_CACHE ?? DEFAULT_CACHE,
        name: values.name,
        hostPrefix: values['host-prefix'],
        subnet: values.subnet,
        guestMemoryMiB: values.memory === undefined ? undefined : integer('--memory', values.memory),
        burn: Object.fromEntries(
          (values.burn ?? []).map((entry) => {
            const [guest, count] = entry.split('=')
            if (!guest || count === undefined) throw new LabOptionError(`--burn ${entry}: write GUEST=N`)
            return [guest, integer('--burn', count)]
          }),
        ),
        log,
      })
      log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`)
      console.log(summary(lab))
      return 0
    }
    case 'down': {
      const started = Date.now()
      const report = await stopLab({ base, name: values.name, keep: values.keep, log })
      log(
        `down in ${((Date.now() - started) / 1000).toFixed(1)} s: ${report.destroyedGuests.length} guest(s) destroyed, ` +
          `${report.stoppedPids.length} process(es) stopped, ${report.deletedNamespaces.length} namespace(s) deleted` +
          (report.removedCgroups.length > 0 ? `, ${report.removedCgroups.length} leftover cgroup(s) removed` : ''),
      )
      return 0
    }
    case 'status': {
      console.log(summary(await readLabDescription(base)))
      return 0
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`)
      return 2
  }
}

function integer(flag: string, text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) throw new LabOptionError(`${flag} ${text}: a whole number`)
  return value
}

function summary(lab: LabDescription): string {
  const lines = [`lab ${lab.name}: ${lab.hosts.length} host(s), description for tests in ${lab.base}/lab.json`]
  for (const host of lab.hosts) {
    lines.push(
      ``,
      `${host.name}  ${host.ip}  guests: ${host.guests.map((guest) => guest.name + (guest.burn ? ` (burn=${guest.burn})` : '')).join(', ') || 'none'}`,
      `  ssh -i ${host.ssh.privateKeyPath} -o UserKnownHostsFile=${lab.ssh.knownHostsPath} \\`,
      `      -o ProxyCommand='${host.ssh.proxyCommandLine}' ${host.ssh.user}@${host.ip} virsh list`,
      `  virsh -c '${host.libvirt.uri}' list`,
    )
  }
  return lines.join('\n')
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof LabPrerequisiteError) console.error(`lab: cannot start: ${error.message}`)
    else if (error instanceof LabOptionError) console.error(`lab: ${error.message}\n${USAGE}`)
    else console.error(`lab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(error instanceof LabPrerequisiteError ? 3 : error instanceof LabOptionError ? 2 : 1)
  },
)
