import { msg } from '../../../../shared/i18n'
import { failed, parsed, toCounter, type Parsed } from '../../linux/parse/result'

/** What `virsh dominfo` says of a VM on one host. */
export interface DomInfo {
  uuid: string
  /** libvirt's words: running, paused, shut off, in shutdown, crashed, pmsuspended. */
  state: string
  vcpus: number
  maxMemoryMiB: number
  /** The current allocation (balloon target of a running VM). */
  memoryMiB: number
}

/** Parses `virsh dominfo` (English labels, `KiB` units as virsh prints them). */
export function parseDomInfo(text: string): Parsed<DomInfo> {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z() ]+):(.*)$/.exec(line.trimEnd())
    if (match) fields.set(match[1]!.trim(), match[2]!.trim())
  }
  const uuid = fields.get('UUID')
  const state = fields.get('State')
  if (!uuid || !state) return failed('dominfo', msg('hostOutput.dominfo.notDominfo'))
  const vcpus = toCounter(fields.get('CPU(s)'))
  if (vcpus === undefined) return failed('dominfo', msg('hostOutput.dominfo.cpus', { field: 'CPU(s)', value: String(JSON.stringify(fields.get('CPU(s)'))) }), { field: 'CPU(s)' })
  const kib = (label: string) => {
    const m = /^(\d+) KiB$/.exec(fields.get(label) ?? '')
    return m ? toCounter(m[1]) : undefined
  }
  const max = kib('Max memory')
  const used = kib('Used memory')
  if (max === undefined || used === undefined) return failed('dominfo', msg('hostOutput.dominfo.memory', { max: 'Max memory', used: 'Used memory' }), { field: max === undefined ? 'Max memory' : 'Used memory' })
  return parsed({ uuid: uuid.toLowerCase(), state, vcpus, maxMemoryMiB: max / 1024, memoryMiB: used / 1024 })
}
