import type { VmManager } from '../../../../shared/model'
import { nameFromHost } from '../../../../shared/text/control'
import { linesOf, type ParseProblem } from './result'
import type { ScriptOutput } from './sections'

/** One Proxmox VE HA resource (`vm: 100` in /etc/pve/ha/resources.cfg). */
export interface PveHaResource {
  /** `vm:100`, as ha-manager names it. */
  sid: string
  type: string
  vmid: number
  /** started (the default), stopped, disabled, ignored. */
  state: string
  group?: string
}

/** The Cluster Resource Scheduler line of /etc/pve/datacenter.cfg (`crs: ha=static,ha-rebalance-on-start=1`). */
export interface PveCrs {
  /** basic (the default), static, dynamic. */
  ha: string
  autoRebalance: boolean
  rebalanceOnStart: boolean
}

export interface HostManagers {
  /** Every VM of this host belongs to one manager: an oVirt (VDSM) host, an OpenStack compute host. */
  host?: VmManager
  pveHa: PveHaResource[]
  crs?: PveCrs
  problems: ParseProblem[]
}

const RESOURCES_CFG = '/etc/pve/ha/resources.cfg'

/** Proxmox's section-config format: `type: id` at the start of a line, then indented `key value` lines. */
export function parseSectionConfig(text: string): { type: string; id: string; props: Record<string, string> }[] {
  const out: { type: string; id: string; props: Record<string, string> }[] = []
  for (const line of linesOf(text)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue
    const head = /^([a-z][a-z0-9-]*):\s*(\S+)\s*$/.exec(line)
    if (head) {
      out.push({ type: head[1]!, id: head[2]!, props: {} })
      continue
    }
    const last = out[out.length - 1]
    if (!last || !/^\s/.test(line)) continue
    const t = line.trim()
    const space = t.search(/\s/)
    if (space < 0) last.props[t] = '1'
    else last.props[t.slice(0, space)] = t.slice(space + 1).trim()
  }
  return out
}

export function parsePveHaResources(text: string): { resources: PveHaResource[]; problems: ParseProblem[] } {
  const problems: ParseProblem[] = []
  const resources: PveHaResource[] = []
  for (const s of parseSectionConfig(text)) {
    if (s.type !== 'vm' && s.type !== 'ct') continue
    if (!/^\d+$/.test(s.id)) {
      problems.push({ section: RESOURCES_CFG, field: `${s.type}: ${s.id}`, message: 'not a guest id' })
      continue
    }
    resources.push({ sid: `${s.type}:${s.id}`, type: s.type, vmid: Number(s.id), state: s.props.state ?? 'started', ...(s.props.group ? { group: s.props.group } : {}) })
  }
  return { resources, problems }
}

/** `crs: ...` of datacenter.cfg; the defaults when the line is absent. */
export function parsePveCrs(text: string): PveCrs {
  const line = linesOf(text).find((l) => /^crs:/.test(l))
  const props = new Map<string, string>()
  for (const part of (line?.slice(4) ?? '').split(',')) {
    const [k, v] = part.split('=', 2).map((x) => x.trim())
    if (k) props.set(k, v ?? '')
  }
  return {
    ha: props.get('ha') || 'basic',
    autoRebalance: props.get('ha-auto-rebalance') === '1',
    rebalanceOnStart: props.get('ha-rebalance-on-start') === '1',
  }
}

/** The manager sections of a discover script's output (manager-reads.ts); never fails, says what it could not read. */
export function parseManagerSections(out: ScriptOutput): HostManagers {
  const problems: ParseProblem[] = []
  const section = (name: string) => out.sections.find((s) => s.name === name && s.exitCode === 0)
  const marks = new Map<string, string>()
  for (const line of linesOf(section('manager-marks')?.body ?? '')) {
    const eq = line.lastIndexOf('=')
    if (eq > 0) marks.set(line.startsWith('process=') ? line : line.slice(0, eq), line.slice(eq + 1))
  }
  const has = (suffix: string) => [...marks].some(([k, v]) => v === 'yes' && k.endsWith(suffix))
  const running = (name: string) => marks.has(`process=${name}`)

  let host: VmManager | undefined
  if (has('/etc/vdsm/vdsm.id') || running('vdsmd')) host = { manager: 'ovirt', ref: 'vdsm', source: has('/etc/vdsm/vdsm.id') ? '/etc/vdsm/vdsm.id' : 'vdsmd' }
  else if (running('nova-compute') || has('/etc/kolla/nova-compute/nova.conf'))
    host = { manager: 'openstack', ref: 'nova-compute', source: running('nova-compute') ? 'nova-compute' : '/etc/kolla/nova-compute/nova.conf' }

  const resourcesCfg = section('pve-file ha/resources.cfg')
  const ha = resourcesCfg ? parsePveHaResources(resourcesCfg.body) : { resources: [], problems: [] }
  problems.push(...ha.problems)
  const dc = section('pve-file datacenter.cfg')
  const crs = dc ? parsePveCrs(dc.body) : undefined
  return { ...(host ? { host } : {}), pveHa: ha.resources, ...(crs ? { crs } : {}), problems }
}

export const safe = (s: string) => nameFromHost(s).name

/** The manager of a Proxmox VE guest: HA manages it unless its state is `ignored` (HA then leaves it alone too). */
export function managerOfPveGuest(m: HostManagers, vmid: number): VmManager | undefined {
  const r = m.pveHa.find((x) => x.type === 'vm' && x.vmid === vmid)
  if (!r || r.state === 'ignored') return undefined
  const crs = m.crs ? `; crs: ha=${m.crs.ha}${m.crs.autoRebalance ? ',ha-auto-rebalance=1' : ''}${m.crs.rebalanceOnStart ? ',ha-rebalance-on-start=1' : ''}` : ''
  return { manager: 'proxmox-ha', ref: safe(r.sid), source: RESOURCES_CFG, detail: safe(`state=${r.state}${r.group ? `, group=${r.group}` : ''}${crs}`) }
}
