import { english, msg } from '../../../shared/i18n'
import type { Action, HostCommand, MessageRef } from '../../../shared/model'
import type { Parsed } from '../linux/parse/result'
import { parseDomInfo, type DomInfo } from './parse/dominfo'

/**
 * The only place an Action becomes a command line. VMs are addressed by their libvirt UUID
 * (names never reach a command), every number is checked, and the result is argv: the SSH
 * layer quotes each word when it sends it. Nothing here is a shell string.
 */

/** An action that cannot become a command: in English (logs), and as a message for the admin's language. */
export class CommandError extends Error {
  override name = 'CommandError'
  readonly ref: MessageRef

  constructor(ref: MessageRef) {
    super(english(ref))
    this.ref = ref
  }
}

/** A command's purpose in English (logs, exports) and as a message for the admin's language. */
function purpose(ref: MessageRef): Pick<HostCommand, 'purpose' | 'purposeRef'> {
  return { purpose: english(ref), purposeRef: ref }
}

/** What was read back, in English and as a message. */
function observed(ref: MessageRef): Pick<Verification, 'observed' | 'observedRef'> {
  return { observed: english(ref), observedRef: ref }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
/** Host names and IPv4/IPv6 literals, nothing else (no spaces, slashes, quotes). */
const ADDRESS = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+)$/
const VIRSH = ['virsh', '-c', 'qemu:///system'] as const
/** Placeholder for the source's end of the migration tunnel (a Unix socket), known only when the step runs. */
export const TUNNEL_SOCKET = '{tunnel-socket}'

export interface CommandContext {
  /** The libvirt UUID of a VM id (real hosts use the UUID as the VM id). */
  uuidOf(vmId: string): string | undefined
  /** The address the destination's QEMU listens on for migration traffic. */
  migrationAddressOf(hostId: string): string | undefined
  allowUnsafeMigration: boolean
  /** Why VirtPilot cannot change this host with virsh (a Proxmox VE node), if so. */
  refusalFor?(hostId: string): MessageRef | undefined
}

function uuid(vmId: string, ctx: CommandContext): string {
  const value = ctx.uuidOf(vmId)?.toLowerCase()
  if (!value || !UUID.test(value)) throw new CommandError(msg('apply.command.noUuid', { vm: JSON.stringify(vmId) }))
  return value
}

function count(n: number, what: 'vcpus' | 'maxVcpus' | 'shares', max: number): string {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CommandError(msg('apply.command.notWhole', { what: msg(`apply.command.what.${what}`), max, value: String(n) }))
  return String(n)
}

/** MiB as libvirt's default unit for setmem/setmaxmem (KiB), whole. */
function kib(mib: number): string {
  if (!Number.isFinite(mib) || mib < 16 || mib > 16 * 1024 * 1024) throw new CommandError(msg('apply.command.memoryRange', { mib: String(mib) }))
  return String(Math.round(mib * 1024))
}

/** Guest disk names as libvirt gives them (vda, sdb, hdc, nvme0n1): nothing else reaches --migrate-disks. */
const DISK_TARGET = /^[a-z][a-z0-9]{1,15}$/

function diskTargets(targets: readonly string[]): string {
  for (const t of targets) if (!DISK_TARGET.test(t)) throw new CommandError(msg('apply.command.notDiskName', { name: JSON.stringify(t) }))
  if (new Set(targets).size !== targets.length) throw new CommandError(msg('apply.command.diskTwice'))
  return targets.join(',')
}

function address(hostId: string, ctx: CommandContext): string {
  const value = ctx.migrationAddressOf(hostId)
  if (!value || !ADDRESS.test(value)) throw new CommandError(msg('apply.command.noAddress', { host: JSON.stringify(hostId) }))
  return value
}

/** The commands that carry out an action, in order. */
export function renderAction(action: Action, ctx: CommandContext): HostCommand[] {
  for (const host of action.kind === 'migrate' ? [action.from, action.to] : [action.host]) {
    const refusal = ctx.refusalFor?.(host)
    if (refusal) throw new CommandError(refusal)
  }
  switch (action.kind) {
    case 'setVcpus': {
      const mode = action.live ? ['--live', '--config'] : ['--config']
      return [{ host: action.host, argv: [...VIRSH, 'setvcpus', '--domain', uuid(action.vm, ctx), '--count', count(action.count, 'vcpus', 512), ...mode], ...purpose(msg(action.live ? 'apply.purpose.setVcpusLive' : 'apply.purpose.setVcpusNextBoot', { count: action.count })) }]
    }
    case 'setMaxVcpus':
      return [{ host: action.host, argv: [...VIRSH, 'setvcpus', '--domain', uuid(action.vm, ctx), '--count', count(action.count, 'maxVcpus', 512), '--maximum', '--config'], ...purpose(msg('apply.purpose.setMaxVcpus', { count: action.count })) }]
    case 'setMemory': {
      const mode = action.live ? ['--live', '--config'] : ['--config']
      return [{ host: action.host, argv: [...VIRSH, 'setmem', '--domain', uuid(action.vm, ctx), '--size', kib(action.memoryMiB), ...mode], ...purpose(msg(action.live ? 'apply.purpose.setMemoryLive' : 'apply.purpose.setMemoryNextBoot', { mib: action.memoryMiB })) }]
    }
    case 'setMaxMemory':
      return [{ host: action.host, argv: [...VIRSH, 'setmaxmem', '--domain', uuid(action.vm, ctx), '--size', kib(action.memoryMiB), '--config'], ...purpose(msg('apply.purpose.setMaxMemory', { mib: action.memoryMiB })) }]
    case 'setCpuShares':
      return [{ host: action.host, argv: [...VIRSH, 'schedinfo', '--domain', uuid(action.vm, ctx), '--live', '--config', '--set', `cpu_shares=${count(action.shares, 'shares', 262144)}`], ...purpose(msg('apply.purpose.setShares', { shares: action.shares })) }]
    case 'migrate': {
      if (!action.live) throw new CommandError(msg('apply.command.liveOnly'))
      if (action.from === action.to) throw new CommandError(msg('apply.command.sameHost'))
      if (action.unsafe && !ctx.allowUnsafeMigration) throw new CommandError(msg('apply.command.needsUnsafe', { vm: action.vm }))
      return [
        {
          host: action.from,
          argv: [
            ...VIRSH,
            'migrate',
            '--live',
            '--persistent',
            '--undefinesource',
            // Local disks travel with the guest (NBD to the destination, which creates them in its pool).
            ...(action.copyDisks ? ['--copy-storage-all', '--migrate-disks', diskTargets(action.copyDisks)] : []),
            ...(ctx.allowUnsafeMigration ? ['--unsafe'] : []),
            '--domain',
            uuid(action.vm, ctx),
            // The destination's libvirt, reached through VirtPilot's SSH tunnel to that host: a
            // socket in a directory only VirtPilot's SSH user on the source can enter.
            '--desturi',
            `qemu+unix:///system?socket=${TUNNEL_SOCKET}`,
            // Memory pages travel host to host, not through VirtPilot.
            '--migrateuri',
            `tcp://${address(action.to, ctx)}`,
          ],
          ...purpose(action.copyDisks ? msg('apply.purpose.migrateCopying', { to: action.to, disks: action.copyDisks.join(', ') }) : msg('apply.purpose.migrate', { to: action.to })),
        },
      ]
    }
    case 'setHostTuning':
    case 'setVmDevice':
      throw new CommandError(msg('apply.command.byHand', { kind: action.kind, setting: action.setting }))
  }
}

/** The source's end of the tunnel (a socket path), known when a migration step runs, in place of its placeholder. */
export function withTunnelSocket(argv: readonly string[], socket: string): string[] {
  return argv.map((a) => a.replace(TUNNEL_SOCKET, socket))
}

/**
 * A rendered migration as Ansible runs it: libvirt's peer-to-peer mode straight to the destination
 * over SSH (`qemu+ssh://TARGET/system`) instead of VirtPilot's tunnel, so the source host's root
 * needs a key for the destination. Other argv is returned as it is.
 */
export function peerToPeerArgv(argv: readonly string[], destinationTarget: string): string[] {
  const tunnelled = `qemu+unix:///system?socket=${TUNNEL_SOCKET}`
  if (!argv.includes(tunnelled)) return [...argv]
  return argv.flatMap((a) => (a === tunnelled ? [`qemu+ssh://${destinationTarget}/system`] : a === '--live' ? ['--live', '--p2p'] : [a]))
}

/** Reads a running migration's progress on its source (see migrationProgress). */
export function migrationJobInfo(host: string, vmId: string, ctx: CommandContext): HostCommand {
  return { host, argv: [...VIRSH, 'domjobinfo', '--domain', uuid(vmId, ctx)], ...purpose(msg('apply.purpose.migrationProgress')) }
}

/** Aborts a running migration on its source (the guest keeps running there). */
export function migrationAbort(host: string, vmId: string, ctx: CommandContext): HostCommand {
  return { host, argv: [...VIRSH, 'domjobabort', '--domain', uuid(vmId, ctx)], ...purpose(msg('apply.purpose.abortMigration')) }
}

/** Share of memory transferred, 0-1, from `virsh domjobinfo`; undefined while it says nothing usable. */
export function migrationProgress(domjobinfo: string): number | undefined {
  const bytes = (label: string) => {
    const m = new RegExp(`^${label}:\\s+([\\d.]+) (\\w+)$`, 'm').exec(domjobinfo)
    const unit = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }[m?.[2] ?? ''] ?? NaN
    return Number(m?.[1]) * unit
  }
  const processed = bytes('Memory processed')
  const total = bytes('Memory total')
  return processed > 0 && total > 0 ? Math.min(1, processed / total) : undefined
}

/** Reads what a host holds of a VM (state, vCPUs, memory); exits non-zero when the host does not have it. */
export function vmInfoCommand(host: string, vmId: string, ctx: CommandContext): HostCommand {
  return { host, argv: [...VIRSH, 'dominfo', '--domain', uuid(vmId, ctx)], ...purpose(msg('apply.purpose.whereabouts', { host })) }
}

/** What vmInfoCommand printed, read. */
export function vmInfo(dominfo: string): Parsed<DomInfo> {
  return parseDomInfo(dominfo)
}

/** How the result of an action is read back. */
export function verifyCommands(action: Action, ctx: CommandContext): HostCommand[] {
  switch (action.kind) {
    case 'setVcpus':
      return [{ host: action.host, argv: [...VIRSH, 'vcpucount', '--domain', uuid(action.vm, ctx), action.live ? '--live' : '--config', '--active'], ...purpose(msg('apply.purpose.readVcpus')) }]
    case 'setMaxVcpus':
      return [{ host: action.host, argv: [...VIRSH, 'vcpucount', '--domain', uuid(action.vm, ctx), '--config', '--maximum'], ...purpose(msg('apply.purpose.readMaxVcpus')) }]
    case 'setMemory':
      return [{ host: action.host, argv: action.live ? [...VIRSH, 'dommemstat', '--domain', uuid(action.vm, ctx)] : [...VIRSH, 'dumpxml', '--inactive', '--domain', uuid(action.vm, ctx)], ...purpose(msg('apply.purpose.readMemory')) }]
    case 'setMaxMemory':
      return [{ host: action.host, argv: [...VIRSH, 'dumpxml', '--inactive', '--domain', uuid(action.vm, ctx)], ...purpose(msg('apply.purpose.readMaxMemory')) }]
    case 'setCpuShares':
      return [{ host: action.host, argv: [...VIRSH, 'schedinfo', '--domain', uuid(action.vm, ctx), '--live'], ...purpose(msg('apply.purpose.readShares')) }]
    case 'migrate':
      return [
        { host: action.to, argv: [...VIRSH, 'domstate', '--domain', uuid(action.vm, ctx)], ...purpose(msg('apply.purpose.runsOn', { host: action.to })) },
        { host: action.from, argv: [...VIRSH, 'list', '--all', '--uuid'], ...purpose(msg('apply.purpose.goneFrom', { host: action.from })) },
      ]
    case 'setHostTuning':
    case 'setVmDevice':
      return []
  }
}

export interface Verification {
  ok: boolean
  /** What was read, in the admin's words. */
  observed: string
  observedRef?: MessageRef
}

/**
 * Whether what was read back shows the action took effect. `outputs` are the stdout of
 * verifyCommands, in order; undefined where a command failed.
 */
export function checkVerification(action: Action, outputs: (string | undefined)[], ctx: CommandContext): Verification {
  const [first, second] = outputs
  switch (action.kind) {
    case 'setVcpus':
    case 'setMaxVcpus': {
      const seen = Number(first?.trim())
      return { ok: seen === action.count, ...observed(Number.isFinite(seen) ? msg('apply.observed.vcpus', { count: seen }) : msg('apply.observed.vcpusUnreadable')) }
    }
    case 'setMemory':
    case 'setMaxMemory': {
      if (action.kind === 'setMemory' && action.live) {
        const actual = Number(/^actual\s+(\d+)/m.exec(first ?? '')?.[1])
        // The balloon settles on the guest's page boundaries: within 1 % is the target.
        return { ok: Math.abs(actual / 1024 - action.memoryMiB) <= action.memoryMiB * 0.01, ...observed(Number.isFinite(actual) ? msg('apply.observed.balloon', { mib: Math.round(actual / 1024) }) : msg('apply.observed.balloonUnreadable')) }
      }
      const tag = action.kind === 'setMemory' ? 'currentMemory' : 'memory'
      const match = new RegExp(`<${tag} unit='KiB'>(\\d+)</${tag}>`).exec(first ?? '')
      const value = Number(match?.[1]) / 1024
      const max = action.kind === 'setMaxMemory'
      const read = Number.isFinite(value) ? msg(max ? 'apply.observed.maxMemory' : 'apply.observed.memory', { mib: Math.round(value) }) : msg(max ? 'apply.observed.maxMemoryUnreadable' : 'apply.observed.memoryUnreadable')
      return { ok: Math.abs(value - action.memoryMiB) < 1, ...observed(read) }
    }
    case 'setCpuShares': {
      const shares = Number(/cpu_shares\s*:\s*(\d+)/.exec(first ?? '')?.[1])
      return { ok: shares === action.shares, ...observed(Number.isFinite(shares) ? msg('apply.observed.shares', { shares }) : msg('apply.observed.sharesUnreadable')) }
    }
    case 'migrate': {
      const running = first?.trim() === 'running'
      const stillOnSource = (second ?? '').split('\n').some((line) => line.trim() === uuid(action.vm, ctx))
      return {
        ok: running && second !== undefined && !stillOnSource,
        ...observed(
          msg('apply.observed.migrated', {
            where: running ? msg('apply.observed.running', { host: action.to }) : msg('apply.observed.notRunning', { host: action.to, state: first?.trim() || 'absent' }),
            source: second === undefined ? msg('apply.observed.sourceUnreadable', { host: action.from }) : stillOnSource ? msg('apply.observed.stillOnSource', { host: action.from }) : msg('apply.observed.goneFromSource', { host: action.from }),
          }),
        ),
      }
    }
    case 'setHostTuning':
    case 'setVmDevice':
      return { ok: false, ...observed(msg('apply.observed.notByVirtPilot')) }
  }
}

/**
 * What a finished or running migration moved so far, from `virsh domjobinfo`: bytes (memory and
 * disks) and seconds elapsed; undefined while it says nothing usable. Their ratio is the measured
 * link speed later storage copies are predicted with.
 */
export function migrationThroughput(domjobinfo: string): { bytes: number; seconds: number } | undefined {
  let bytes: number | undefined
  let ms: number | undefined
  for (const line of domjobinfo.split('\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const key = line.slice(0, colon).trim()
    const words = line.slice(colon + 1).trim().split(' ').filter(Boolean)
    if (key === 'Data processed' && words.length === 2) {
      const unit = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 }[words[1]!]
      const n = Number(words[0])
      if (unit !== undefined && Number.isFinite(n)) bytes = n * unit
    }
    if (key === 'Time elapsed' && words[1] === 'ms' && Number.isFinite(Number(words[0]))) ms = Number(words[0])
  }
  return bytes !== undefined && bytes > 0 && ms !== undefined && ms > 0 ? { bytes, seconds: ms / 1000 } : undefined
}

/** Seconds a step is expected to take: migrations by memory size (measured: ~2-4 s for small guests) plus the disk copy predicted at plan time. */
export function estimateSeconds(action: Action, memoryMiB: number | undefined, copySeconds = 0): number {
  if (action.kind === 'migrate') return Math.round(3 + (memoryMiB ?? 1024) / 400 + copySeconds)
  if (action.kind === 'setMemory' && action.live) return 5
  return 1
}
