import { chown, mkdir, readdir, writeFile } from 'node:fs/promises'
import { BOOT_MARKER, ALIVE_MARKER, type LabDescription, type LabGuest, type LabHost } from './description'
import { prepareGuestCgroups } from './cgroups'
import { guestOf, startGuest, waitForBoot } from './guest'
import { ensureGuestImage } from './guest-image'
import { prepareHost, saveCapabilities, seedCapabilities, startHost, type HostSpec } from './host'
import { createHostNetwork, createHub, hubIpOf, PREFIX_LENGTH, type LabNetwork } from './network'
import {
  DEFAULT_BASE,
  DEFAULT_CACHE,
  DEFAULT_NAME,
  hostPaths,
  hubNamespaceOf,
  labPaths,
  libvirtUriOf,
  namespaceOf,
  TEST_UID,
  TEST_USER,
} from './paths'
import { checkPrerequisites } from './prerequisites'
import { run } from './run'
import { stopLab } from './teardown'

export interface LabOptions {
  hosts: number
  /** Guests per host, named `<host>-vm<j>`. */
  guests: number
  /** Folder the lab owns (deleted by `down`). */
  base?: string
  /** Folder for the guest kernel, initramfs and libvirt's QEMU probe, kept between runs. */
  cache?: string
  /** Namespace prefix; two labs on one machine need different names, host prefixes and subnets. */
  name?: string
  /** Hosts are `<hostPrefix>1`, `<hostPrefix>2`, ... */
  hostPrefix?: string
  /** First three octets of the lab's /24. */
  subnet?: string
  /** Guest name -> busy loops it runs from boot. */
  burn?: Readonly<Record<string, number>>
  guestMemoryMiB?: number
  timeoutMs?: number
  log?: (line: string) => void
}

const SAFE_PATH = /^\/[A-Za-z0-9_.\/-]+$/

/** Options that cannot work; the message says which and what is allowed. */
export class LabOptionError extends Error {
  override name = 'LabOptionError'
}

function validate(options: LabOptions) {
  const base = options.base ?? DEFAULT_BASE
  const cache = options.cache ?? DEFAULT_CACHE
  const name = options.name ?? DEFAULT_NAME
  const hostPrefix = options.hostPrefix ?? 'h'
  const subnet = options.subnet ?? '10.200.0'
  for (const [what, path] of [['base', base], ['cache', cache]] as const) {
    if (!SAFE_PATH.test(path) || path.split('/').filter(Boolean).length < 2 || /^\/(run|proc|sys|dev)\//.test(path)) {
      throw new LabOptionError(`--${what} ${path}: give an absolute folder of [A-Za-z0-9_./-], at least two levels deep, not under /run, /proc, /sys or /dev`)
    }
  }
  if (!/^[a-z][a-z0-9]{0,7}$/.test(name)) throw new LabOptionError(`--name ${name}: 1-8 of [a-z0-9], starting with a letter`)
  if (!/^[a-z]{1,4}$/.test(hostPrefix)) throw new LabOptionError(`--host-prefix ${hostPrefix}: 1-4 of [a-z]`)
  if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(subnet)) throw new LabOptionError(`--subnet ${subnet}: three octets, e.g. 10.200.0`)
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > 20) throw new LabOptionError('--hosts: 1 to 20')
  if (!Number.isInteger(options.guests) || options.guests < 0 || options.guests > 10) throw new LabOptionError('--guests: 0 to 10')
  const guestNames = new Set<string>()
  for (let i = 1; i <= options.hosts; i++) for (let j = 1; j <= options.guests; j++) guestNames.add(`${hostPrefix}${i}-vm${j}`)
  const unknown = Object.keys(options.burn ?? {}).filter((guest) => !guestNames.has(guest))
  if (unknown.length > 0) throw new LabOptionError(`--burn names no guest of this lab: ${unknown.join(', ')} (guests are <host>-vm<j>, e.g. ${hostPrefix}1-vm1)`)
  return { base, cache, name, hostPrefix, subnet }
}

/**
 * Brings up a lab: `hosts` network namespaces on a private bridge, each with its own sshd,
 * libvirtd and virtlogd, and `guests` booted QEMU (TCG) guests per host. Any earlier lab at the
 * same base is torn down first. Resolves with the description it also writes to `<base>/lab.json`.
 */
export async function startLab(options: LabOptions): Promise<LabDescription> {
  const log = options.log ?? (() => undefined)
  const timeoutMs = options.timeoutMs ?? 120_000
  const { base, cache, name, hostPrefix, subnet } = validate(options)
  await checkPrerequisites()
  const leftover = await stopLab({ base, name })
  if (leftover.stoppedPids.length + leftover.deletedNamespaces.length > 0) {
    log(`cleaned up an earlier lab: ${leftover.stoppedPids.length} process(es), ${leftover.deletedNamespaces.length} namespace(s)`)
  }
  // `down` deletes the base folder: never adopt one that holds something else.
  const existing = await readdir(base).catch(() => [] as string[])
  if (existing.length > 0) {
    throw new LabOptionError(`--base ${base} exists and is not a lab's folder (no ${labPaths(base).marker}): choose an empty or new folder`)
  }
  const image = await ensureGuestImage(cache, log)
  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`

  const paths = labPaths(base)
  await mkdir(base, { recursive: true })
  // First, so that `down` finds this lab's namespaces even if `up` dies right after.
  await writeFile(paths.marker, `${JSON.stringify({ name })}\n`)
  await writeFile(paths.description, `${JSON.stringify({ name })}\n`)
  for (const dir of [paths.sshDir, paths.guests]) await mkdir(dir, { recursive: true })
  await mkdir(paths.home, { recursive: true, mode: 0o755 })
  await chown(paths.home, TEST_UID, TEST_UID)
  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'virtpilot-lab-client', '-f', paths.clientKey])
  await run(['cp', paths.clientPublicKey, paths.authorizedKeys])

  try {
    const network: LabNetwork = { hubNamespace: hubNamespaceOf(name), subnet }
    await createHub(network)
    const specs: HostSpec[] = []
    for (let index = 0; index < options.hosts; index++) {
      const host = `${hostPrefix}${index + 1}`
      const namespace = namespaceOf(name, host)
      specs.push({ base, cache, name: host, namespace, ip: await createHostNetwork(network, namespace, index) })
    }
    await Promise.all(specs.map(prepareHost))
    log(`network and host files ready (${elapsed()})`)

    // The first host may have to probe QEMU (~10 s); the others then start from its result.
    const [first, ...rest] = specs
    if (!first) throw new Error('no hosts')
    await seedCapabilities(first)
    const firstStarted = await startHost(first, timeoutMs)
    await saveCapabilities(base, cache, first.name)
    await Promise.all(rest.map(seedCapabilities))
    const restStarted = await Promise.all(rest.map((spec) => startHost(spec, timeoutMs)))
    const startedHosts = [firstStarted, ...restStarted]
    log(`${specs.length} host(s) up: sshd, libvirtd, virtlogd (${elapsed()})`)

    const burn = options.burn ?? {}
    const hosts: LabHost[] = specs.map((spec, index) => {
      const hostFiles = hostPaths(base, spec.name)
      const guests: LabGuest[] = []
      for (let j = 1; j <= options.guests; j++) {
        const guestName = `${spec.name}-vm${j}`
        guests.push(guestOf(base, { name: guestName, memoryMiB: options.guestMemoryMiB, burn: burn[guestName] ?? 0 }))
      }
      const hub = network.hubNamespace
      return {
        name: spec.name,
        namespace: spec.namespace,
        ip: spec.ip,
        ssh: {
          port: 22,
          user: TEST_USER,
          privateKeyPath: paths.clientKey,
          hostKey: startedHosts[index]!.hostKey,
          proxyCommand: ['nsenter', `--net=/run/netns/${hub}`, 'socat', 'STDIO', `TCP:${spec.ip}:22,nodelay`],
          proxyCommandLine: `nsenter --net=/run/netns/${hub} socat STDIO TCP:%h:%p,nodelay`,
        },
        libvirt: { socket: hostFiles.libvirtSocket, uri: libvirtUriOf(hostFiles.libvirtSocket), uriOnHost: 'qemu:///system' },
        pids: startedHosts[index]!.pids,
        logs: { host: hostFiles.log, libvirtd: hostFiles.libvirtdLog },
        guests,
      }
    })
    await writeFile(
      paths.knownHosts,
      hosts.map((host) => `${host.ip} ${host.ssh.hostKey}\n`).join(''),
    )
    await prepareGuestCgroups()
    await Promise.all(hosts.flatMap((host) => host.guests.map((guest) => startGuest(host.libvirt.uri, guest, image))))
    log(`${hosts.length * options.guests} guest(s) started (${elapsed()})`)
    await Promise.all(hosts.flatMap((host) => host.guests.map((guest) => waitForBoot(guest, timeoutMs))))
    log(`all guests booted (${elapsed()})`)

    const description: LabDescription = {
      version: 1,
      name,
      base,
      cache,
      createdAt: new Date().toISOString(),
      network: { hubNamespace: network.hubNamespace, hubIp: hubIpOf(network), prefixLength: PREFIX_LENGTH },
      ssh: { user: TEST_USER, privateKeyPath: paths.clientKey, knownHostsPath: paths.knownHosts },
      guestImage: { kernel: image.kernel, initrd: image.initrd, bootMarker: BOOT_MARKER, aliveMarker: ALIVE_MARKER },
      hosts,
    }
    await writeFile(paths.description, `${JSON.stringify(description, null, 2)}\n`)
    return description
  } catch (error) {
    log(`lab up failed; stopping what it started (logs kept in ${base})`)
    await stopLab({ base, name, keep: true, log })
    throw error
  }
}
