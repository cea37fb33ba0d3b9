import { msg } from '../../shared/i18n'
import type { ClusterFacts, HostStorage, MessageRef } from '../../shared/model'
import type { HostAdapter, Inventory, RawStats, ReadOptions } from './adapter'
import { LibvirtAdapter } from './libvirt/adapter'
import { HostOutputError } from './linux/run-script'
import { ProxmoxAdapter } from './proxmox/adapter'
import { detectProxmox, type ProxmoxVersion } from './proxmox/parse'
import type { HostConnection } from '../ssh/connection'

export type HostKind = 'libvirt' | 'proxmox'

/** Constant and read-only: whether Proxmox VE's tools are installed, and its version when they are. */
export const DETECT_SCRIPT = `PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
if command -v pvesh >/dev/null 2>&1 && command -v pveversion >/dev/null 2>&1; then
  echo "pve-tools: yes"
  pveversion 2>&1
else
  echo "pve-tools: no"
fi
`

const DETECT_TIMEOUT_MS = 20_000

/** What the probe's output says the host is; an error message when it says nothing usable. */
export function kindFromProbe(stdout: string): { kind: 'proxmox'; version: ProxmoxVersion } | { kind: 'libvirt' } | { error: string; ref: MessageRef } {
  const first = stdout.split('\n').find((l) => l.startsWith('pve-tools: '))
  if (first === 'pve-tools: no') return { kind: 'libvirt' }
  if (first !== 'pve-tools: yes') {
    const output = JSON.stringify(stdout.trim().slice(0, 120))
    return { error: `the host type probe printed ${output}`, ref: msg('access.hostOutput.probePrinted', { output }) }
  }
  const version = detectProxmox(stdout)
  if (!version) {
    const output = JSON.stringify(stdout.replace(first, '').trim().slice(0, 120))
    return { error: `pvesh is installed but pveversion printed ${output}`, ref: msg('access.hostOutput.pveversionPrinted', { output }) }
  }
  return { kind: 'proxmox', version }
}

/**
 * A host whose hypervisor stack is found out on first contact: one small probe, then everything
 * goes to a ProxmoxAdapter or a LibvirtAdapter. A failed probe (host unreachable) is tried again
 * on the next call.
 */
export class DetectingAdapter implements HostAdapter {
  readonly id: string
  readonly canReadPast = false
  /** Undefined until the first discovery reached the host. */
  kind: HostKind | undefined
  proxmoxVersion: ProxmoxVersion | undefined
  private delegate: LibvirtAdapter | ProxmoxAdapter | undefined
  private probing: Promise<LibvirtAdapter | ProxmoxAdapter> | undefined

  constructor(
    private readonly connection: HostConnection,
    private readonly hostId: string,
    private readonly displayName?: string,
  ) {
    this.id = hostId
  }

  /** The adapter doing the work, once the host type is known. */
  get adapter(): LibvirtAdapter | ProxmoxAdapter | undefined {
    return this.delegate
  }

  private async resolve(): Promise<LibvirtAdapter | ProxmoxAdapter> {
    if (this.delegate) return this.delegate
    this.probing ??= this.probe().finally(() => {
      this.probing = undefined
    })
    return this.probing
  }

  private async probe(): Promise<LibvirtAdapter | ProxmoxAdapter> {
    await this.connection.connect()
    const result = await this.connection.execScript(DETECT_SCRIPT, DETECT_TIMEOUT_MS)
    const found = kindFromProbe(result.stdout)
    if ('error' in found) throw HostOutputError.said(msg('access.hostOutput.unknownKind', { host: this.connection.label, why: found.ref, code: String(result.code) }))
    this.kind = found.kind
    if (found.kind === 'proxmox') {
      this.proxmoxVersion = found.version
      this.delegate = new ProxmoxAdapter(this.connection, this.hostId, this.displayName)
    } else {
      this.delegate = new LibvirtAdapter(this.connection, this.hostId, this.displayName)
    }
    return this.delegate
  }

  async discover(now?: number): Promise<Inventory> {
    return (await this.resolve()).discover(now)
  }

  storage(now: number): HostStorage[] {
    return this.delegate?.storage(now) ?? []
  }

  async readStats(now: number, options?: ReadOptions): Promise<RawStats> {
    return (await this.resolve()).readStats(now, options)
  }

  inventoryStale(): boolean {
    return this.delegate?.inventoryStale() ?? false
  }

  qemuPid(vmId: string): number | undefined {
    return this.delegate && 'qemuPid' in this.delegate ? this.delegate.qemuPid(vmId) : undefined
  }

  facts(): ClusterFacts | undefined {
    return this.delegate?.facts()
  }

  async close(): Promise<void> {
    if (this.delegate) await this.delegate.close()
    else this.connection.close()
  }
}

/** The adapter for a managed host, libvirt or Proxmox VE, decided on its first discovery. */
export function adapterForHost(connection: HostConnection, hostId: string, displayName?: string): DetectingAdapter {
  return new DetectingAdapter(connection, hostId, displayName)
}
