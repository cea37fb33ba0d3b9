import { describe, expect, it } from 'vitest'
import { parseCapabilities } from '../../../../src-main/hosts/libvirt/parse/capabilities'
import { parseCpuList } from '../../../../src-main/hosts/linux/parse/cpu-list'
import { parseXml } from '../../../../src-main/hosts/libvirt/parse/xml'
import { fixture, ok } from './fixture'

describe('parseCapabilities on real hosts (virt-manager test data)', () => {
  it('x86_64 Skylake desktop: 1 socket x 4 cores x 2 threads, one NUMA cell', () => {
    const c = ok(parseCapabilities(fixture('capabilities_xml/virt-manager_kvm-x86_64.xml')))
    expect(c).toMatchObject({ arch: 'x86_64', model: 'Skylake-Client-noTSX-IBRS', vendor: 'Intel', sockets: 1, coresPerSocket: 4, threadsPerCore: 2, logicalCpus: 8 })
    expect(c.tscMHz).toBeCloseTo(3408.01, 2)
    expect(c.cells).toHaveLength(1)
    expect(c.cells[0]!.memoryKiB).toBe(32731708)
    expect(c.cells[0]!.cpus.map((x) => x.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(c.cells[0]!.cpus[1]!.siblings).toEqual([1, 5])
    expect(c.cells[0]!.pages).toEqual([{ sizeKiB: 4, count: 8182927 }, { sizeKiB: 2048, count: 0 }, { sizeKiB: 1048576, count: 0 }])
    expect(c.pageSizesKiB).toEqual([4, 2048, 1048576])
    expect(c.kvmAvailable).toBe(true)
  })

  it('aarch64 Neoverse-N1: libvirt says sockets=1 per cell; the host has 2 sockets x 80 cores', () => {
    const c = ok(parseCapabilities(fixture('capabilities_xml/virt-manager_kvm-aarch64.xml')))
    expect(c.topology).toMatchObject({ sockets: 1, cores: 80, threads: 1, clusters: 1 })
    expect(c).toMatchObject({ arch: 'aarch64', model: 'Neoverse-N1', sockets: 2, coresPerSocket: 80, threadsPerCore: 1, logicalCpus: 160 })
    expect(c.cells.map((x) => [x.id, x.memoryKiB, x.cpus.length])).toEqual([
      [0, 263763320, 80],
      [1, 262082520, 80],
    ])
    expect(c.cells[0]!.distances.get(1)).toBe(20)
    expect(c.tscMHz).toBeUndefined()
  })

  it('POWER8: 2 sockets x 6 cores x 8 threads, 64 KiB base pages', () => {
    const c = ok(parseCapabilities(fixture('capabilities_xml/virt-manager_kvm-ppc64le.xml')))
    expect(c).toMatchObject({ arch: 'ppc64le', model: 'POWER8', vendor: 'IBM', sockets: 2, coresPerSocket: 6, threadsPerCore: 8, logicalCpus: 96 })
    expect(c.cells.map((x) => x.memoryKiB)).toEqual([33364032, 33354368])
    expect(c.cells[0]!.cpus[0]!.siblings).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(c.pageSizesKiB).toEqual([64, 16384, 16777216])
  })

  it('rejects domcapabilities, empty and broken XML with a located error', () => {
    expect(parseCapabilities(fixture('capabilities_xml/virt-manager_kvm-x86_64-domcaps-latest.xml'))).toMatchObject({ ok: false, error: { section: 'capabilities' } })
    expect(parseCapabilities('')).toMatchObject({ ok: false })
    expect(parseCapabilities('<capabilities><host><cpu><arch>x86_64</arch></cpu>\n</hostx></capabilities>')).toMatchObject({ ok: false, error: { line: 2 } })
    expect(parseCapabilities('<capabilities><host><cpu></cpu></host></capabilities>')).toMatchObject({ ok: false, error: { field: 'host/cpu/arch' } })
  })
})

describe('parseXml', () => {
  it('decodes entities, CDATA and keeps __proto__ as a plain attribute', () => {
    const el = ok(parseXml(`<?xml version="1.0"?><!-- c --><a x="1 &amp; 2" __proto__='p'>t&lt;&#65;&#x42;<![CDATA[<raw>]]><b/></a>`, 't'))
    expect(el.attrs.x).toBe('1 & 2')
    expect(el.attrs.__proto__).toBe('p')
    expect(el.text).toBe('t<AB<raw>')
    expect(el.children.map((c) => c.name)).toEqual(['b'])
  })
  it('refuses DOCTYPE (no entity expansion), two roots and unknown entities', () => {
    expect(parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x/>', 't').ok).toBe(false)
    expect(parseXml('<a/><b/>', 't').ok).toBe(false)
    expect(parseXml('<a>&nbsp;</a>', 't').ok).toBe(false)
  })
})

describe('parseCpuList', () => {
  it('expands ranges and rejects junk', () => {
    expect(parseCpuList('0-3,8,10-11')).toEqual([0, 1, 2, 3, 8, 10, 11])
    expect(parseCpuList('3-1')).toBeUndefined()
    expect(parseCpuList('a')).toBeUndefined()
  })
})
