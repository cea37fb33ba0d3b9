import type { VmManager } from '../../../../shared/model'
import { safe, type HostManagers } from '../../linux/parse/managers'
import type { ParseProblem } from '../../linux/parse/result'
import type { ScriptOutput } from '../../linux/parse/sections'
import { children, parseXml, type XmlElement } from './xml'

/** A pacemaker VirtualDomain resource: the domain names it may stand for, and where it runs. */
export interface PacemakerDomain {
  id: string
  /** The `config` parameter: the domain XML the agent defines the guest from. */
  config?: string
  /** Nodes crm_mon says it runs on. */
  nodes: string[]
}

function walk(el: XmlElement, visit: (e: XmlElement) => void): void {
  visit(el)
  for (const c of el.children) walk(c, visit)
}

/** VirtualDomain resources of `crm_mon -1 --output-as=xml` (or the older --as-xml), groups and clones included. */
export function parseCrmMon(text: string): { domains: PacemakerDomain[]; problem?: ParseProblem } {
  const doc = parseXml(text, 'crm_mon')
  if (!doc.ok) return { domains: [], problem: doc.error }
  const domains: PacemakerDomain[] = []
  walk(doc.value, (e) => {
    if (e.name !== 'resource' || !/:VirtualDomain$/.test(e.attrs.resource_agent ?? '') || !e.attrs.id) return
    domains.push({ id: e.attrs.id, nodes: children(e, 'node').flatMap((n) => (n.attrs.name ? [n.attrs.name] : [])) })
  })
  return { domains }
}

/** VirtualDomain primitives of `cibadmin --query --scope resources`, with their `config` path. */
export function parseCibResources(text: string): { domains: PacemakerDomain[]; problem?: ParseProblem } {
  const doc = parseXml(text, 'cibadmin')
  if (!doc.ok) return { domains: [], problem: doc.error }
  const domains: PacemakerDomain[] = []
  walk(doc.value, (e) => {
    if (e.name !== 'primitive' || e.attrs.type !== 'VirtualDomain' || !e.attrs.id) return
    let config: string | undefined
    for (const ia of children(e, 'instance_attributes')) for (const nv of children(ia, 'nvpair')) if (nv.attrs.name === 'config') config = nv.attrs.value
    domains.push({ id: e.attrs.id, ...(config ? { config } : {}), nodes: [] })
  })
  return { domains }
}

/** crm_mon's view (where each runs) merged with the CIB's (which XML each defines). */
function mergePacemaker(status: PacemakerDomain[], cib: PacemakerDomain[]): PacemakerDomain[] {
  const byId = new Map<string, PacemakerDomain>()
  for (const d of [...cib, ...status]) {
    const known = byId.get(d.id)
    byId.set(d.id, { id: d.id, ...(d.config ?? known?.config ? { config: d.config ?? known!.config! } : {}), nodes: [...new Set([...(known?.nodes ?? []), ...d.nodes])] })
  }
  return [...byId.values()]
}

/** The pacemaker sections of a discover script's output (manager-reads.ts), read when the host is a cluster node. */
export function pacemakerDomains(out: ScriptOutput): { domains: PacemakerDomain[]; problems: ParseProblem[] } {
  const problems: ParseProblem[] = []
  const section = (name: string) => out.sections.find((s) => s.name === name && s.exitCode === 0)
  const mon = section('crm-mon')
  const status = mon ? parseCrmMon(mon.body) : { domains: [] }
  const cibSection = section('cib-resources')
  const cib = cibSection ? parseCibResources(cibSection.body) : { domains: [] }
  for (const p of [status.problem, cib.problem]) if (p) problems.push(p)
  for (const name of ['crm-mon', 'cib-resources']) {
    const s = out.sections.find((x) => x.name === name)
    if (s && s.exitCode !== 0) problems.push({ section: name, message: `failed (exit ${s.exitCode ?? 'cut off'}): ${out.sections.find((x) => x.name === `${name}.stderr`)?.body.trim().slice(0, 200) ?? ''}` })
  }
  return { domains: mergePacemaker(status.domains, cib.domains), problems }
}

/** A libvirt domain's manager by its name: a pacemaker resource of that id or defined from `<name>.xml`, else the host's. */
export function managerOfDomain(m: Pick<HostManagers, 'host'> & { pacemaker: readonly PacemakerDomain[] }, name: string): VmManager | undefined {
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1).replace(/\.xml$/, '')
  const pcmk = m.pacemaker.find((d) => d.id === name || (d.config !== undefined && base(d.config) === name))
  if (pcmk) {
    return {
      manager: 'pacemaker',
      ref: safe(pcmk.id),
      source: 'crm_mon',
      ...(pcmk.config || pcmk.nodes.length ? { detail: safe([pcmk.config ? `config=${pcmk.config}` : '', ...pcmk.nodes.map((n) => `node=${n}`)].filter(Boolean).join(', ')) } : {}),
    }
  }
  return m.host
}
