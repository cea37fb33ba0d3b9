import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { zhCN } from '../../../src-renderer/i18n/zh-CN'

/** Every message as [dotted key, text]. */
function flatten(messages: object, prefix = ''): [string, string][] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'string' ? [[`${prefix}${key}`, value] as [string, string]] : flatten(value as object, `${prefix}${key}.`),
  )
}

/** The glossary's avoided Chinese words, each with the term to use instead (its tables' 3rd and 2nd columns). */
function avoided(): { word: string; use: string }[] {
  const glossary = readFileSync(new URL('../../../docs/glossary.md', import.meta.url), 'utf8')
  const rows = glossary.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| English') && !line.startsWith('|---'))
  return rows.flatMap((row) => {
    const [, use = '', avoid = ''] = row.split('|').slice(1).map((cell) => cell.trim())
    return avoid
      .split('、')
      .map((word) => word.trim())
      .filter(Boolean)
      .map((word) => ({ word, use }))
  })
}

/** Longer terms that contain an avoided word yet are right: 宿主机 and 主机名 contain 主机. */
const ALLOWED_AROUND: Record<string, RegExp> = {
  主机: /宿主机|主机名|主机密钥|主机地址/g,
}

describe('glossary', () => {
  it('lists avoided words', () => {
    expect(avoided().map((a) => a.word)).toEqual(expect.arrayContaining(['主机', '热迁移', '在线迁移', '重新均衡']))
  })

  it('the zh-CN catalogues use its terms, not their avoided synonyms', () => {
    const found: string[] = []
    for (const [key, text] of flatten(zhCN)) {
      for (const { word, use } of avoided()) {
        const plain = ALLOWED_AROUND[word] ? text.replace(ALLOWED_AROUND[word]!, '') : text
        if (plain.includes(word)) found.push(`${key}: "${word}" (use ${use}) in ${text}`)
      }
    }
    expect(found).toEqual([])
  })
})
