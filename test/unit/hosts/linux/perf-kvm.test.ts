import { describe, expect, it } from 'vitest'
import { parsePerfKvmReport, parsePerfKvmRun } from '../../../../src-main/hosts/linux/parse/perf-kvm'
import { perfKvmScript } from '../../../../src-main/hosts/linux/perf-kvm-script'
import { fixture, ok } from '../libvirt/fixture'

// Real `perf kvm stat report` outputs posted to the kernel mailing lists (test/fixtures/outputs/README.md).
describe('parsePerfKvmReport on real reports', () => {
  it('an x86 host: HLT dominates time, MSR writes and VMCALLs are frequent and short', () => {
    const report = ok(parsePerfKvmReport(fixture('perf_kvm/lkml-x86-arcangeli-ebpf.txt')))
    expect(report.scope).toBeUndefined()
    expect(report.exits.map((e) => e.reason)).toEqual([
      'HLT', 'VMCALL', 'MSR_WRITE', 'EPT_VIOLATION', 'PREEMPTION_TIMER', 'EXTERNAL_INTERRUPT', 'EPT_MISCONFIG', 'PENDING_INTERRUPT', 'PAUSE_INSTRUCTION', 'MSR_READ', 'CPUID',
    ])
    expect(report.exits[0]).toEqual({ reason: 'HLT', samples: 101128, samplesPct: 75.33, timePct: 99.66, minUs: 0.43, maxUs: 901000.66, avgUs: 310.88, avgSpreadPct: 8.46 })
    // No total line in this post: the samples are the rows' sum.
    expect(report.totalSamples).toBe(101128 + 14089 + 8246 + 6312 + 1730 + 1329 + 982 + 308 + 58 + 35 + 24)
    expect(report.totalUs).toBeUndefined()
  })

  it('an arm64 host with its scope and totals', () => {
    const report = ok(parsePerfKvmReport(fixture('perf_kvm/lkml-arm64-senozhatsky-v3.txt')))
    expect(report.scope).toBe('all VMs, all VCPUs')
    expect(report.exits.map((e) => [e.reason, e.samples])).toEqual([
      ['DABT_LOW', 661867], ['IRQ', 4598], ['WFx', 1475], ['IABT_LOW', 1018], ['SYS64', 180], ['HVC64', 17],
    ])
    expect(report.totalSamples).toBe(669155)
    expect(report.totalUs).toBeCloseTo(10216387.86, 2)
  })

  it('an x86 guest under sysbench (perf kvm stat record -p), blank lines first as perf prints them', () => {
    const report = ok(parsePerfKvmReport(fixture('perf_kvm/blog-0xba1a-x86-sysbench.txt')))
    expect(report.exits).toHaveLength(9)
    expect(report.exits.find((e) => e.reason === 'HLT')).toMatchObject({ samples: 2232, timePct: 99.92, maxUs: 1001118.99 })
    expect(report.totalSamples).toBe(25898)
  })

  it('one vCPU, and a report of no exits at all', () => {
    expect(ok(parsePerfKvmReport(fixture('perf_kvm/lkml-arm64-leoyan-vcpu27.txt'))).scope).toBe('all VMs, VCPU 27')
    const empty = ok(parsePerfKvmReport(fixture('perf_kvm/lkml-arm64-leoyan-vcpu27-before.txt')))
    expect(empty).toEqual({ scope: 'all VMs, VCPU 27', exits: [], totalSamples: 0, totalUs: 0 })
  })
})

describe('parsePerfKvmReport on what is not a report', () => {
  it('refuses perf’s error text (no table), naming why', () => {
    const r = parsePerfKvmReport("event syntax error: 'kvm:kvm_entry'\n                     \\___ unknown tracepoint\n")
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/no VM-EXIT table/)
  })

  it('refuses rows that do not add up to the total, and garbage inside the table', () => {
    const text = fixture('perf_kvm/lkml-arm64-senozhatsky-v3.txt')
    expect(parsePerfKvmReport(text.replace('Total Samples:669155', 'Total Samples:669156')).ok).toBe(false)
    expect(parsePerfKvmReport(text.replace('        IRQ       4598', '        IRQ       45x8')).ok).toBe(false)
  })
})

describe('a perf kvm stat run as the host ends it', () => {
  it('the script holds only the two numbers it was given, and refuses others', () => {
    const script = perfKvmScript(4242, 10)
    expect(script).toContain('pid=4242\n')
    expect(script).toContain('perf kvm stat record -p $pid sleep 10 ')
    expect(script).not.toContain('\\')
    expect(() => perfKvmScript(1, 10)).toThrow()
    expect(() => perfKvmScript(4242, 0)).toThrow()
    expect(() => perfKvmScript(4242, 61)).toThrow()
    expect(() => perfKvmScript(Number.NaN, 5)).toThrow()
  })

  it('reads each way it can end', () => {
    expect(parsePerfKvmRun('VP-PERF missing\n')).toMatchObject({ status: 'perf-missing' })
    expect(parsePerfKvmRun('VP-PERF needs-root\n')).toMatchObject({ status: 'needs-root', message: expect.stringMatching(/root/) })
    expect(parsePerfKvmRun('VP-PERF no-process\n')).toMatchObject({ status: 'no-process' })
    expect(parsePerfKvmRun("VP-PERF record-failed\nevent syntax error: 'kvm:kvm_entry'\n")).toEqual({
      status: 'failed',
      message: "event syntax error: 'kvm:kvm_entry'",
      // perf's own words, passed on as perf said them.
      messageRef: { key: 'hostOutput.perf.recordSaid', params: { output: "event syntax error: 'kvm:kvm_entry'" } },
    })
    const done = parsePerfKvmRun(`VP-PERF report\n${fixture('perf_kvm/blog-0xba1a-x86-sysbench.txt')}`)
    expect(done.status).toBe('done')
    expect(parsePerfKvmRun('Permission denied\n')).toMatchObject({ status: 'failed' })
  })
})
