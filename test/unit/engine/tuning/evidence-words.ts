import { expect } from 'vitest'
import type { TuningAdvice } from '../../../../shared/engine/tuning'
import { english, formatMessage } from '../../../../shared/i18n'
import type { MessageRef } from '../../../../shared/model/message'
import { englishRuns } from '../../../support/english-runs'

/**
 * A rule's evidence as a Chinese admin reads it: each fact, value and unit that is a word is a
 * message said in English exactly as the English beside it, and a fact line in Chinese has no run
 * of English words (a path or a kernel name is said as it is). Returns the lines.
 */
export function evidenceInChinese(advice: TuningAdvice, names: string[]): string[] {
  return advice.evidence.map((e) => {
    const parts: [MessageRef | undefined, string][] = [[e.factRef, e.fact], [e.valueRef, String(e.value)], [e.unitRef, e.unit ?? '']]
    for (const [ref, text] of parts) if (ref) expect(english(ref)).toBe(text)
    const line = parts.map(([ref, text]) => (ref ? formatMessage(ref, 'zh-CN') : text)).join(' ').trim()
    expect(englishRuns(line, { names }), line).toEqual([])
    return line
  })
}
