import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { en } from '../../src-renderer/i18n/en'
import { zhCN } from '../../src-renderer/i18n/zh-CN'
import { formOf, mismatchParams, parseHostMap, sourceOf, useMetricsSourceStore } from '../../src-renderer/stores/metrics-source'
import { useSettingsStore } from '../../src-renderer/stores/settings'

describe('Settings → Metrics source', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('reads the host names an admin types, one per line, and names the lines it cannot read', () => {
    expect(parseHostMap(' kvm1.lab:9177 = kvm1 \n\n10.0.0.5=kvm2\n')).toEqual({ map: { 'kvm1.lab:9177': 'kvm1', '10.0.0.5': 'kvm2' }, bad: [] })
    expect(parseHostMap('kvm1\n= kvm2\nkvm3 =')).toEqual({ map: {}, bad: ['kvm1', '= kvm2', 'kvm3 ='] })
    const form = { ...formOf({ kind: 'ssh' }), kind: 'prometheus' as const, url: ' prometheus+http://prom:9090 ', caFile: '/etc/ca.pem', hostMap: 'a = b' }
    expect(sourceOf(form)).toEqual({ source: { kind: 'prometheus', url: 'prometheus+http://prom:9090', caFile: '/etc/ca.pem', hostMap: { a: 'b' } } })
    expect(formOf({ kind: 'prometheus', url: 'prometheus+http://prom:9090', hostMap: { a: 'b' } }).hostMap).toBe('a = b')
  })

  it('words the label-mismatch headline with both sides\' names and the line to write, in both languages', () => {
    const params = mismatchParams({ sshHosts: ['kvm-a', 'kvm-b'], storeHosts: ['10.9.0.1 (kvm1)'], example: '10.9.0.1 = kvm-a' })
    expect(params).toEqual({ store: '10.9.0.1 (kvm1)', ssh: 'kvm-a, kvm-b', example: '10.9.0.1 = kvm-a' })
    for (const catalogue of [en, zhCN]) {
      for (const text of [catalogue.settings.metrics.labelMismatch.body, catalogue.overview.labelMismatch.body]) {
        for (const name of ['{store}', '{ssh}', '{example}']) expect(text).toContain(name)
      }
    }
  })

  it("shows main's refusal of a source that cannot work and keeps SSH polling", async () => {
    const settings = useSettingsStore()
    await settings.load()
    const store = useMetricsSourceStore()
    const saved = await store.save({ ...formOf({ kind: 'ssh' }), kind: 'prometheus', url: 'prometheus+http://prom:9090', bearerTokenFile: '/nonexistent/token' })
    expect(saved).toBe(false)
    expect(store.error).toMatch(/cannot read the bearer token file \/nonexistent\/token/)
    expect(settings.settings.metricsSource).toEqual({ kind: 'ssh' })
    expect(store.status).toEqual({ kind: 'ssh' })
    expect(await store.save({ ...formOf({ kind: 'ssh' }), kind: 'prometheus', url: 'prometheus+http://prom:9090', hostMap: 'no equals sign' })).toBe(false)
    expect(store.error).toMatch(/one "store name = host" per line \(not: no equals sign\)/)
  })
})
