import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { VmSchema } from '../../../../shared/model'
import { parseDiscoverOutput } from '../../../../src-main/hosts/libvirt/parse/discover-output'
import { parseDomainXml } from '../../../../src-main/hosts/libvirt/parse/domain-xml'
import { HOST_FILES_FUNCTIONS } from '../../../../src-main/hosts/linux/host-reads'
import { MANAGER_FUNCTIONS, MANAGER_SECTIONS } from '../../../../src-main/hosts/linux/manager-reads'
import { managerOfPveGuest, parseManagerSections, parsePveCrs, parsePveHaResources } from '../../../../src-main/hosts/linux/parse/managers'
import { managerOfDomain, parseCibResources, parseCrmMon } from '../../../../src-main/hosts/libvirt/parse/pacemaker'
import { splitSections } from '../../../../src-main/hosts/linux/parse/sections'
import { SCRIPT_PRELUDE } from '../../../../src-main/hosts/linux/script-frame'
import { fixture, ok } from '../libvirt/fixture'
import { runScript } from '../proxmox/fake-node'

describe('another manager, read from its own files and outputs (fixtures: test/fixtures/outputs/managers)', () => {
  it('Proxmox VE HA: the resources.cfg example of the Proxmox manual (vm:501 started, ct:102 defaults)', () => {
    const { resources, problems } = parsePveHaResources(fixture('managers/pve-docs_ha-manager_resources-example.cfg'))
    expect(problems).toEqual([])
    expect(resources).toEqual([
      { sid: 'vm:501', type: 'vm', vmid: 501, state: 'started' },
      { sid: 'ct:102', type: 'ct', vmid: 102, state: 'started' },
    ])
  })

  it('Proxmox VE CRS: the manual\'s `crs: ha=static`, a dynamic auto-rebalancing line, and the default without one', () => {
    expect(parsePveCrs(fixture('managers/pve-docs_ha-manager_datacenter-crs-static.cfg'))).toEqual({ ha: 'static', autoRebalance: false, rebalanceOnStart: false })
    expect(parsePveCrs(fixture('managers/pve-ha-manager_crs-dynamic-auto-rebalance4_datacenter.cfg'))).toEqual({ ha: 'dynamic', autoRebalance: true, rebalanceOnStart: false })
    expect(parsePveCrs('keyboard: en-us\n')).toEqual({ ha: 'basic', autoRebalance: false, rebalanceOnStart: false })
  })

  it('a Proxmox guest HA manages is owned by Proxmox VE HA, with its state and the scheduler; an ignored one is not', () => {
    const m = { pveHa: parsePveHaResources('vm: 501\n\tstate started\n\tgroup db\n\nvm: 502\n\tstate ignored\n').resources, crs: parsePveCrs(fixture('managers/pve-ha-manager_crs-dynamic-auto-rebalance4_datacenter.cfg')), problems: [] }
    expect(managerOfPveGuest(m, 501)).toEqual({ manager: 'proxmox-ha', ref: 'vm:501', source: '/etc/pve/ha/resources.cfg', detail: 'state=started, group=db; crs: ha=dynamic,ha-auto-rebalance=1' })
    expect(managerOfPveGuest(m, 502)).toBeUndefined()
    expect(managerOfPveGuest(m, 503)).toBeUndefined()
  })

  it('pacemaker: crm_mon --output-as xml and the CIB of a two-node cluster name the VirtualDomain resources, not the filesystem clone', () => {
    const status = parseCrmMon(fixture('managers/uyuni_crm_mon_output-as-xml.xml'))
    expect(status.problem).toBeUndefined()
    expect(status.domains).toEqual([{ id: 'vm03', nodes: [] }, { id: 'vm01', nodes: ['demo-kvm1'] }])
    const cib = parseCibResources(fixture('managers/uyuni_cib.xml'))
    expect(cib.domains).toEqual([{ id: 'vm01', config: '/srv/clusterfs/vm01.xml', nodes: [] }, { id: 'vm03', config: '/srv/clusterfs/vm03.xml', nodes: [] }])
    const m = { pacemaker: [{ id: 'vm_web', config: '/srv/clusterfs/web.xml', nodes: ['demo-kvm1'] }, ...status.domains], problems: [] }
    expect(managerOfDomain(m, 'vm01')).toMatchObject({ manager: 'pacemaker', ref: 'vm01', detail: 'node=demo-kvm1' })
    // A resource named otherwise still owns the domain its config file defines.
    expect(managerOfDomain(m, 'web')).toMatchObject({ manager: 'pacemaker', ref: 'vm_web', detail: 'config=/srv/clusterfs/web.xml, node=demo-kvm1' })
    expect(managerOfDomain(m, 'vm02')).toBeUndefined()
  })

  it('domain metadata: an OpenStack instance (Red Hat OSP 10) and an oVirt hosted engine say who owns them; a CloudStack system VM by its SMBIOS product', () => {
    const nova = ok(parseDomainXml(fixture('managers/insights-core_rhosp-instance-000008d6.xml')))
    expect(nova.manager).toEqual({ manager: 'openstack', ref: 'django_vm_001', source: '<metadata> http://openstack.org/xmlns/libvirt/nova/1.0' })
    const ovirt = ok(parseDomainXml(fixture('managers/vdsm_hostedengine.xml')))
    expect(ovirt.manager).toEqual({ manager: 'ovirt', ref: 'HostedEngine', source: '<metadata> http://ovirt.org/vm/1.0' })
    const cloudstack = ok(parseDomainXml(fixture('domain_xml/telegraf_libvirt_testdata_cloudstack_running_domain.xml')))
    expect(cloudstack.manager).toEqual({ manager: 'cloudstack', ref: 'r-2825-QA', source: '<sysinfo> product CloudStack KVM Hypervisor' })
  })

  it('a plain lab guest (virt-install metadata only) has no manager', () => {
    const d = ok(parseDiscoverOutput(fixture('virtpilot-lab/discover-h1.txt'), { hostId: 'h1' }))
    expect(d.vms.map((v) => v.config.manager)).toEqual([undefined, undefined])
    expect(d.inventory.vms.every((v) => v.managedBy === undefined)).toBe(true)
  })

  it('bad manager output is a problem, never a crash or a guess', () => {
    expect(parseCrmMon('Connection to cluster failed: Transport endpoint is not connected\n').problem?.message).toBeTruthy()
    expect(parsePveHaResources('vm: abc\n\tstate started\n').problems).toEqual([{ section: '/etc/pve/ha/resources.cfg', field: 'vm: abc', message: 'not a guest id' }])
  })
})

// The manager sections run here under /bin/sh, against stand-in folders for /etc/pve and the marker
// files (this machine is no Proxmox, oVirt or OpenStack host); /proc is this machine's.
describe.runIf(process.platform === 'linux')('the manager sections of the discover scripts, run here', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vp-managers-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const run = async (env: Record<string, string>) => {
    const script = `${SCRIPT_PRELUDE}printf "@@VP %s START managers-test%s" "$N" "$nl"\n${HOST_FILES_FUNCTIONS}${MANAGER_FUNCTIONS}${MANAGER_SECTIONS}printf "%s@@VP %s DONE%s" "$nl" "$N" "$nl"\n`
    const { stdout } = await runScript(script, { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env })
    return parseManagerSections(ok(splitSections(stdout, 'managers-test')))
  }

  it('a plain host: no manager at all', async () => {
    const m = await run({ VIRTPILOT_HOST_ROOT: dir, VIRTPILOT_PVE_ETC: join(dir, 'pve') })
    expect(m).toEqual({ pveHa: [], problems: [] })
  })

  it('an oVirt host (VDSM id file): every VM on it is oVirt\'s', async () => {
    mkdirSync(join(dir, 'etc/vdsm'), { recursive: true })
    writeFileSync(join(dir, 'etc/vdsm/vdsm.id'), '4c4c4544-0034-5310-8052-b4c04f4e4b32\n')
    const m = await run({ VIRTPILOT_HOST_ROOT: dir, VIRTPILOT_PVE_ETC: join(dir, 'pve') })
    expect(m.host).toEqual({ manager: 'ovirt', ref: 'vdsm', source: '/etc/vdsm/vdsm.id' })
    expect(managerOfDomain({ ...m, pacemaker: [] }, 'any-guest')).toEqual(m.host)
  })

  it('an OpenStack compute node deployed by Kolla: every VM on it is Nova\'s', async () => {
    mkdirSync(join(dir, 'etc/kolla/nova-compute'), { recursive: true })
    writeFileSync(join(dir, 'etc/kolla/nova-compute/nova.conf'), '[DEFAULT]\ncompute_driver = libvirt.LibvirtDriver\n')
    const m = await run({ VIRTPILOT_HOST_ROOT: dir, VIRTPILOT_PVE_ETC: join(dir, 'pve') })
    expect(m.host).toEqual({ manager: 'openstack', ref: 'nova-compute', source: '/etc/kolla/nova-compute/nova.conf' })
  })

  it('a Proxmox node: /etc/pve/ha/resources.cfg and datacenter.cfg are read in the same exec', async () => {
    mkdirSync(join(dir, 'pve/ha'), { recursive: true })
    writeFileSync(join(dir, 'pve/ha/resources.cfg'), fixture('managers/pve-docs_ha-manager_resources-example.cfg'))
    writeFileSync(join(dir, 'pve/datacenter.cfg'), fixture('managers/pve-docs_ha-manager_datacenter-crs-static.cfg'))
    const m = await run({ VIRTPILOT_HOST_ROOT: dir, VIRTPILOT_PVE_ETC: join(dir, 'pve') })
    expect(managerOfPveGuest(m, 501)).toEqual({ manager: 'proxmox-ha', ref: 'vm:501', source: '/etc/pve/ha/resources.cfg', detail: 'state=started; crs: ha=static' })
    expect(VmSchema.shape.managedBy.parse(managerOfPveGuest(m, 501))).toBeTruthy()
  })
})
