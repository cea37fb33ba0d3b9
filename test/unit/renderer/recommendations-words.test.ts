import { describe, expect, it } from 'vitest'
import { ref } from 'vue'
import { createI18n } from 'vue-i18n'
import { describeAction } from '../../../src-renderer/format/action-words'
import { formatFigure } from '../../../src-renderer/format/figures'
import { createUnits, pluralAware, type Translate } from '../../../src-renderer/format/units'
import { en } from '../../../src-renderer/i18n/en'
import { zhCN } from '../../../src-renderer/i18n/zh-CN'

function wordsIn(language: 'en' | 'zh-CN') {
  const i18n = createI18n({ legacy: false, locale: language, fallbackLocale: 'en', messages: { en, 'zh-CN': zhCN } })
  const t: Translate = pluralAware((key, named, plural) => (plural === undefined ? i18n.global.t(key, named) : i18n.global.t(key, named, plural)))
  return { t, units: createUnits(t, ref<string>(language)) }
}

const names = {
  vm: (id: string) => ({ 'vm-uuid-1': 'web1' })[id] ?? id,
  host: (id: string) => ({ h1: 'kvm1', h2: 'kvm2' })[id] ?? id,
}

describe('actions in words', () => {
  const { t, units } = wordsIn('en')

  it('names VMs and hosts as the admin knows them, with units', () => {
    expect(describeAction({ kind: 'migrate', vm: 'vm-uuid-1', from: 'h1', to: 'h2', live: true }, t, names, units)).toBe('Live-migrate web1 from kvm1 to kvm2')
    expect(describeAction({ kind: 'setMemory', vm: 'vm-uuid-1', host: 'h1', memoryMiB: 6144, live: true }, t, names, units)).toBe('Set the memory of web1 on kvm1 to 6 GiB (live)')
    expect(describeAction({ kind: 'setVcpus', vm: 'vm-uuid-1', host: 'h1', count: 4, live: false }, t, names, units)).toBe('Set web1 on kvm1 to 4 vCPUs (next restart)')
    expect(describeAction({ kind: 'setMaxMemory', vm: 'vm-uuid-1', host: 'h1', memoryMiB: 512 }, t, names, units)).toBe('Raise the memory ceiling of web1 on kvm1 to 512 MiB (next restart)')
    expect(describeAction({ kind: 'setVmDevice', vm: 'vm-uuid-1', host: 'h1', setting: 'disk.bus', device: 'hda', value: 'virtio' }, t, names, units)).toBe(
      'On web1 (kvm1), set disk.bus of hda to virtio',
    )
    expect(describeAction({ kind: 'setHostTuning', host: 'h2', setting: 'ksm.run', value: '1' }, t, names, units)).toBe('On kvm2, set ksm.run to 1')
  })

  it('keeps an unknown id visible rather than hiding it', () => {
    expect(describeAction({ kind: 'setCpuShares', vm: 'gone', host: 'h9', shares: 2048 }, t, names, units)).toBe('Set the CPU shares of gone on h9 to 2048')
  })

  it('reads in Chinese too', () => {
    const zh = wordsIn('zh-CN')
    expect(describeAction({ kind: 'migrate', vm: 'vm-uuid-1', from: 'h1', to: 'h2', live: true }, zh.t, names, zh.units)).toBe('将 web1 从 kvm1 实时迁移到 kvm2')
  })
})

describe('predicted figures', () => {
  const { units } = wordsIn('en')

  it('carry their unit', () => {
    expect(formatFigure(units, 62.97, '%')).toBe('63.0%')
    expect(formatFigure(units, 22784, 'MiB')).toBe('22.3 GiB')
    expect(formatFigure(units, 512, 'MiB')).toBe('512 MiB')
    expect(formatFigure(units, 2.5, 'cores')).toBe('2.5 cores')
    expect(formatFigure(units, 32, 'CPUs')).toBe('32 CPUs')
    expect(formatFigure(units, 1.25, 'nodes')).toBe('1.3 nodes')
  })
})
