import { describe, expect, it } from 'vitest'
import { PEAK_REASON, type Move } from '../../../shared/engine/balance'
import type { LoadSummary } from '../../../shared/engine/placement'
import { migrationRecommendation } from '../../../shared/engine/recommendation-records'

const summary = (imbalance: number, peakLoad: number): LoadSummary => ({ cpuLoads: [], memLoads: [], imbalance, maxCpuLoad: peakLoad, maxMemLoad: peakLoad, peakLoad })
const move = (reason: string, gain: number): Move => ({ vmId: 'web', from: 'h1', to: 'h2', mandatory: false, reason, gain, costSeconds: 12.2, priority: 4 })

describe('migration recommendation wording', () => {
  it('says a move made for the busiest host lowers the peak, and that it may widen the spread', () => {
    const rec = migrationRecommendation(move(PEAK_REASON, -0.038), summary(0.02, 0.3), summary(0.03, 0.25), () => 'r1')
    expect(rec.rationale).toContain('peak host load goes from 30.0 % to 25.0 %')
    expect(rec.rationale).toContain('changes the spread of host load by +3.8 %')
    expect(rec.rationale).not.toMatch(/Lowers the spread .*-/)
  })

  it('words a spread move by the spread it removes', () => {
    const rec = migrationRecommendation(move('evens out host load', 0.05), summary(0.1, 0.3), summary(0.05, 0.28), () => 'r2')
    expect(rec.rationale).toMatch(/^Lowers the spread of host load by 5\.0 %.*about 13 s\.$/)
  })
})
