import { describe, expect, it } from 'vitest'
import { PERF_KVM_MAX_SECONDS } from '../../../shared/model'
import { COLLECT_HELP } from '../../../src-main/cli/collect'
import { HELP_ZH_CN, helpIn } from '../../../src-main/cli/help'
import { HOSTS_HELP } from '../../../src-main/cli/hosts'
import { PERF_HELP } from '../../../src-main/cli/perf'
import { PLAN_HELP } from '../../../src-main/cli/plan-apply'
import { RECOMMEND_HELP } from '../../../src-main/cli/recommend'
import { RECOVER_HELP } from '../../../src-main/cli/recover'
import { REQUEST_HELP } from '../../../src-main/cli/request'
import { MAINTENANCE_HELP, RULES_HELP } from '../../../src-main/cli/rules'
import { WHATIF_HELP } from '../../../src-main/cli/whatif'
import { englishRuns } from '../../support/english-runs'

const HELPS = { HOSTS_HELP, COLLECT_HELP, RECOMMEND_HELP, REQUEST_HELP, PLAN_HELP, RECOVER_HELP, RULES_HELP, MAINTENANCE_HELP, WHATIF_HELP, PERF_HELP }

/** The description lines of a help text (six spaces in), where the words are, not the commands. */
const descriptions = (text: string) => text.split('\n').filter((l) => /^ {6}\S/.test(l))

describe('--help in Chinese', () => {
  it('says every command’s description in Chinese and keeps each synopsis line as the admin types it', () => {
    for (const [name, text] of Object.entries(HELPS)) {
      const zh = helpIn(text, 'zh-CN', { max: PERF_KVM_MAX_SECONDS })
      const synopsis = (t: string) => t.split('\n').filter((l) => !/^ {6}\S/.test(l))
      expect(synopsis(zh), name).toEqual(synopsis(text))
      const words = descriptions(zh).join('\n')
      expect(words.length, name).toBeGreaterThan(40)
      // Options, commands, formats and product names may stay; no English sentence may.
      const prose = words.replace(/`[^`]*`|'[^']*'/g, ' ').split(/\s+/).filter((token) => !/[=/:.[\]<>`']|^-|--/.test(token)).join(' ')
      expect(englishRuns(prose), `${name}: ${words}`).toEqual([])
    }
    expect(helpIn(PERF_HELP, 'zh-CN', { max: PERF_KVM_MAX_SECONDS })).toContain(`最多 ${PERF_KVM_MAX_SECONDS} 秒`)
  })

  it('keeps English as it is, and a description it has no words for in English (never lost)', () => {
    expect(helpIn(HOSTS_HELP, 'en')).toBe(HOSTS_HELP)
    const unknown = '  virtpilot frobnicate --json\n      Frobnicates the hosts.\n'
    expect(helpIn(unknown, 'zh-CN')).toBe(unknown)
    expect(Object.keys(HELP_ZH_CN)).toEqual(expect.arrayContaining(['virtpilot serve', 'virtpilot demo', 'virtpilot apply', 'virtpilot export-history']))
  })
})
