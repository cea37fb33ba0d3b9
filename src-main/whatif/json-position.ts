/**
 * Where a JSON text stops being valid, for an error message with a line and column: a strict
 * scanner run only after JSON.parse failed (V8's messages do not always carry a position).
 */
export interface JsonSyntaxProblem {
  offset: number
  reason: string
}

/** Deeper nesting is reported as the problem: this scanner recurses, and no scenario nests so deep. */
export const MAX_JSON_DEPTH = 512

export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  let i = 0
  let depth = 0
  const fail = (reason: string): never => {
    throw { offset: i, reason } satisfies JsonSyntaxProblem
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const describe = () => (i >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[i])}`)
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length
    else fail(describe())
  }
  const string = () => {
    i++ // opening quote
    for (;;) {
      if (i >= text.length) fail('a string is not closed')
      const c = text[i]!
      if (c === '"') return void i++
      if (c === '\\') {
        const next = text[i + 1]
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape')
          i += 6
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2
        else fail('bad escape in a string')
      } else if (c.charCodeAt(0) < 0x20) fail('a control character (line break?) inside a string')
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
    if ((c === '{' || c === '[') && ++depth > MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`)
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') return void (i++, depth--)
      for (;;) {
        ws()
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${i >= text.length ? 'the end' : JSON.stringify(text[i])}`)
        string()
        ws()
        if (text[i] !== ':') fail(`expected ':' after the property name`)
        i++
        value()
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') return void (i++, depth--)
        fail(`expected ',' or '}' after a property value`)
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
        fail(`expected ',' or ']' after an array element`)
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
    if (i < text.length) fail('unexpected text after the end of the JSON value')
    return null
  } catch (problem) {
    if (typeof problem === 'object' && problem !== null && 'offset' in problem) return problem as JsonSyntaxProblem
    throw problem
  }
}
