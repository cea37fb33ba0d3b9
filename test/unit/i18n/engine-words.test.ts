import { beforeAll, describe, expect, it } from 'vitest'
import { recommend, type RecommendOutput } from '../../../shared/engine/recommend'
import { formatMessage, messageText } from '../../../shared/i18n'
import type { MessageRef, PredictedFigure, Recommendation } from '../../../shared/model'
import { demoFacts } from '../../../src-main/hosts/demo/facts'
import { demoEngineInput } from '../engine/support/demo'
import { englishRuns } from './english-runs'
import { placeholders } from './support'

/** Every text of a recommendation a person reads, with the message it was sent as (undefined: English only). */
function textsOf(r: Recommendation): { field: string; english: string; ref: MessageRef | undefined }[] {
  const figures = (where: string, list: readonly PredictedFigure[]) => list.map((f, i) => ({ field: `${where}[${i}].label`, english: f.label, ref: f.labelRef }))
  return [
    { field: 'title', english: r.title, ref: r.titleRef },
    { field: 'rationale', english: r.rationale, ref: r.rationaleRef },
    { field: 'riskNote', english: r.riskNote, ref: r.riskNoteRef },
    ...figures('predicted', r.predicted),
    ...(r.rebalance?.moves ?? []).flatMap((m, j) => [
      { field: `moves[${j}].reason`, english: m.reason, ref: m.reasonRef },
      ...(m.notes !== undefined ? [{ field: `moves[${j}].notes`, english: m.notes, ref: m.notesRef }] : []),
      ...figures(`moves[${j}].predicted`, m.predicted),
    ]),
  ]
}

/** Why a message would not say itself in a language: an unknown key, or a placeholder without its value (nested ones too). */
function problemsOf(ref: MessageRef, path = ref.key): string[] {
  const problems: string[] = []
  for (const language of ['en', 'zh-CN'] as const) {
    const text = messageText(ref.key, language)
    if (text === undefined) problems.push(`${path}: no ${language} text`)
    else for (const p of placeholders(text)) if (ref.params[p] === undefined) problems.push(`${path}: ${language} needs {${p}}`)
  }
  for (const [name, value] of Object.entries(ref.params)) {
    for (const nested of Array.isArray(value) ? value : typeof value === 'object' ? [value] : []) problems.push(...problemsOf(nested, `${path}.${name}`))
  }
  return problems
}

const runs: Record<string, RecommendOutput> = {}
let names: string[] = []

beforeAll(async () => {
  const input = await demoEngineInput()
  const facts = demoFacts(input.now)
  names = [...input.snapshot.hosts.map((h) => h.id), ...input.snapshot.vms.flatMap((v) => [v.id, v.name]), ...Object.values(facts.storage ?? {}).flatMap((s) => s.pools.flatMap((p) => [p.name, p.id]))]
  runs['two recorded days'] = recommend({ ...input, facts })
  // Twenty minutes of history: the low-confidence words ("Only 20 min of history").
  const since = input.now - 20 * 60_000
  const recent = Object.fromEntries(
    Object.entries(input.history.vms).map(([id, s]) => {
      const keep = s.t.map((t, i) => (t >= since ? i : -1)).filter((i) => i >= 0)
      return [id, { t: keep.map((i) => s.t[i]!), cpuUsedCores: keep.map((i) => s.cpuUsedCores[i]!), memUsedMiB: keep.map((i) => s.memUsedMiB[i]!) }]
    }),
  )
  runs['twenty minutes of history'] = recommend({ ...input, facts, history: { vms: recent } })
})

describe('what the engine says on the demo cluster, in both languages', () => {
  it('has recommendations of every kind the demo gives (a rebalance, rightsizing, tuning)', () => {
    const kinds = new Set(Object.values(runs).flatMap((o) => o.recommendations.map((r) => r.kind)))
    expect([...kinds]).toEqual(expect.arrayContaining(['migrate', 'rightsize-memory', 'tuning']))
  })

  it('sends every text as a message that resolves in en and zh-CN with all its values, and whose English is the text beside it', () => {
    for (const [run, out] of Object.entries(runs)) {
      for (const r of out.recommendations) {
        for (const { field, english, ref } of textsOf(r)) {
          expect(ref, `${run}: ${r.title} ${field}`).toBeDefined()
          expect(problemsOf(ref!), `${run}: ${r.title} ${field}`).toEqual([])
          expect(formatMessage(ref!, 'en'), `${run}: ${field}`).toBe(english.trim())
        }
      }
    }
  })

  it('says nothing in Chinese as a run of English words (names, commands, units and product names aside)', () => {
    const found: string[] = []
    for (const out of Object.values(runs))
      for (const r of out.recommendations)
        for (const { field, ref } of textsOf(r)) for (const run of englishRuns(formatMessage(ref!, 'zh-CN'), names)) found.push(`${r.title} ${field}: "${run}"`)
    expect(found).toEqual([])
  })

  it('the checker itself finds English left in a Chinese text', () => {
    expect(englishRuns('将 web1 从 kvm1 迁移到 kvm2', ['web1', 'kvm1', 'kvm2'])).toEqual([])
    expect(englishRuns('在 demo-b 上设置 cache=none，并运行 virsh vcpupin')).toEqual([])
    expect(englishRuns('原因：Peak working set 2643 MiB over 0 h', [])).toEqual(['Peak working set'])
  })
})
