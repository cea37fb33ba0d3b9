import { describe, expect, it } from 'vitest'
import { parseDomInfo } from '../../../../src-main/hosts/libvirt/parse/dominfo'
import { fixture, ok } from './fixture'

// What VirtPilot reads back from each host after a plan was cut short: where a VM is, in what
// state, with how many vCPUs and how much memory.
describe('parseDomInfo on real virsh output', () => {
  const real = fixture('virtpilot-lab/virsh-test-driver-dominfo.txt')

  it('reads the state, vCPUs and memory (KiB to MiB) of a running domain', () => {
    expect(ok(parseDomInfo(real))).toEqual({ uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', state: 'running', vcpus: 2, maxMemoryMiB: 8192, memoryMiB: 2048 })
  })

  it('keeps a state of several words (shut off) and an upper-case UUID as libvirt means it', () => {
    const off = real.replace('State:          running', 'State:          shut off').replace('6695eb01-f6a4', '6695EB01-F6A4')
    expect(ok(parseDomInfo(off))).toMatchObject({ state: 'shut off', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f' })
  })

  it('names what is wrong with output that is not dominfo', () => {
    const missing = parseDomInfo('error: failed to get domain')
    expect(missing.ok).toBe(false)
    const noCpus = parseDomInfo(real.replace('CPU(s):         2', 'CPU(s):         two'))
    expect(noCpus.ok ? undefined : noCpus.error.message).toMatch(/CPU\(s\) is not a number/)
    const megabytes = parseDomInfo(real.replace('2097152 KiB', '2048 MiB'))
    expect(megabytes.ok ? undefined : megabytes.error.message).toMatch(/Used memory is not "N KiB"|Max memory or Used memory/)
  })
})
