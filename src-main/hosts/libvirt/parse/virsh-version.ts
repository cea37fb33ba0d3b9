import { msg } from '../../../../shared/i18n'
import { failed, linesOf, parsed, type Parsed } from '../../linux/parse/result'

/** `virsh version`: library, API and running hypervisor versions. */
export interface VirshVersion {
  libvirt?: string
  hypervisor?: string
  hypervisorVersion?: string
}

export function parseVirshVersion(text: string, section = 'virsh version'): Parsed<VirshVersion> {
  const out: VirshVersion = {}
  for (const l of linesOf(text)) {
    const lib = /^Using library: libvirt (\S+)/.exec(l)
    if (lib) out.libvirt = lib[1]
    const hv = /^Running hypervisor: (\S+) (\S+)/.exec(l)
    if (hv) {
      out.hypervisor = hv[1]
      out.hypervisorVersion = hv[2]
    }
  }
  if (!out.libvirt) return failed(section, msg('hostOutput.noLine', { text: 'Using library: libvirt X' }))
  return parsed(out)
}
