import { msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'

/**
 * Where a JSON text stops being valid, for an error message with a line and column: a strict
 * scanner run only after JSON.parse failed (V8's messages do not always carry a position).
 */
export interface JsonSyntaxProblem {
  offset: number
  reason: MessageRef
}

/** Deeper nesting is reported as the problem: this scanner recurses, and no scenario nests so deep. */
export const MAX_JSON_DEPTH = 512

export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  let i = 0
  let depth = 0
  const fail = (reason: MessageRef): never => {
    throw { offset: i, reason } satisfies JsonSyntaxProblem
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const describe = () => (i >= text.length ? msg('input.json.endsEarly') : msg('input.json.unexpected', { found: JSON.stringify(text[i]) }))
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length
    else fail(describe())
  }
  const string = () => {
    i++ // opening quote
    for (;;) {
      if (i >= text.length) fail(msg('input.json.stringNotClosed'))
      const c = text[i]!
      if (c === '"') return void i++
      if (c === '\\') {
        const next = text[i + 1]
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail(msg('input.json.badUnicode', { escape: '\\u' }))
          i += 6
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2
        else fail(msg('input.json.badEscape'))
      } else if (c.charCodeAt(0) < 0x20) fail(msg('input.json.controlCharacter'))
      else i++
    }
  }
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!m || m[0] === '' || m[0] === '-') fail(describe())
    i += m![0].length
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if ((c === '{' || c === '[') && ++depth > MAX_JSON_DEPTH) fail(msg('input.json.tooDeep', { depth: MAX_JSON_DEPTH }))
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') return void (i++, depth--)
      for (;;) {
        ws()
        if (text[i] !== '"') fail(msg('input.json.propertyName', { found: i >= text.length ? msg('input.json.theEnd') : JSON.stringify(text[i]) }))
        string()
        ws()
        if (text[i] !== ':') fail(msg('input.json.colon'))
        i++
        value()
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') return void (i++, depth--)
        fail(msg('input.json.afterProperty', { comma: "','", close: "'}'" }))
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') return void (i++, depth--)
      for (;;) {
        value()
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') return void (i++, depth--)
        fail(msg('input.json.afterElement', { comma: "','", close: "']'" }))
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number()
    fail(describe())
  }
  try {
    value()
    ws()
    if (i < text.length) fail(msg('input.json.trailing'))
    return null
  } catch (problem) {
    if (typeof problem === 'object' && problem !== null && 'offset' in problem) return problem as JsonSyntaxProblem
    throw problem
  }
}
