/**
 * A query_range answer read straight into columns. A week of a fleet is tens of millions of
 * `[1767225900,"0.0609"]` pairs: JSON.parse makes an array and a string of each (and a schema
 * check walks them again), which costs more than the store took to answer. This reads the
 * answer as Prometheus, Thanos, Mimir and VictoriaMetrics write it (`{"status":"success",
 * "data":{"resultType":"matrix","result":[{"metric":{...},"values":[[t,"v"],...]}...]}...}`)
 * without building a pair; anything else (an error, another key order, whitespace) returns
 * undefined and the caller reads the answer the general way.
 */
export interface MatrixColumns {
  labels: Record<string, string>
  /** Evaluation times, epoch ms. */
  t: Float64Array
  /** The values as the store wrote them (`NaN` for "NaN", "+Inf" and "-Inf", as Number() reads them). */
  v: Float64Array
}

const PREFIX = '{"status":"success","data":{"resultType":"matrix","result":['
const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const CLOSE_BRACE = 125
const DOT = 46
const ZERO = 48
const NINE = 57

/** 1e0 .. 1e22, each exact (read from text, not computed). */
const POWERS = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`))
const MINUS = 45

/**
 * A value as Number() reads it. Plain decimals whose digits make an integer below 2^53 are read
 * by hand: those digits and the power of ten are both exact doubles, so their quotient is the
 * correctly rounded value, the same double Number() gives; anything else (17 digits, exponents,
 * NaN, Inf) goes to Number().
 */
function decimal(text: string, start: number, end: number): number {
  let k = start
  const negative = text.charCodeAt(k) === MINUS
  if (negative) k++
  let digits = 0
  let mantissa = 0
  let fraction = -1
  for (; k < end; k++) {
    const c = text.charCodeAt(k)
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO)
      digits++
      if (fraction >= 0) fraction++
    } else if (c === DOT && fraction < 0) fraction = 0
    else return Number(text.slice(start, end))
  }
  if (digits === 0 || mantissa > Number.MAX_SAFE_INTEGER || fraction === 0 || fraction >= POWERS.length) return Number(text.slice(start, end))
  const value = fraction > 0 ? mantissa / POWERS[fraction]! : mantissa
  return negative ? -value : value
}

export function decodeMatrix(text: string): MatrixColumns[] | undefined {
  if (!text.startsWith(PREFIX)) return undefined
  const out: MatrixColumns[] = []
  let i = PREFIX.length
  let t = new Float64Array(1024)
  let v = new Float64Array(1024)
  if (text.charCodeAt(i) === CLOSE_BRACKET) return out
  for (;;) {
    if (!text.startsWith('{"metric":{', i)) return undefined
    // The label set: a flat object of strings, its end found past any quoted '}' or '"'.
    const open = i + 10
    let j = open + 1
    let inString = false
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j)
      if (inString) {
        if (c === BACKSLASH) j++
        else if (c === QUOTE) inString = false
      } else if (c === QUOTE) inString = true
      else if (c === CLOSE_BRACE) break
    }
    if (j >= text.length) return undefined
    let labels: unknown
    try {
      labels = JSON.parse(text.slice(open, j + 1))
    } catch {
      return undefined
    }
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || !Object.values(labels).every((x) => typeof x === 'string')) return undefined
    i = j + 1
    if (!text.startsWith(',"values":[', i)) return undefined
    i += 11
    let n = 0
    if (text.charCodeAt(i) === CLOSE_BRACKET) i++
    else {
      for (;;) {
        if (text.charCodeAt(i) !== OPEN_BRACKET) return undefined
        i++
        // The time: whole seconds, or with a fraction (Prometheus writes up to milliseconds).
        let k = i
        let whole = 0
        while (k < text.length) {
          const c = text.charCodeAt(k)
          if (c < ZERO || c > NINE) break
          whole = whole * 10 + (c - ZERO)
          k++
        }
        if (k === i) return undefined
        let seconds = whole
        if (text.charCodeAt(k) === DOT) {
          k++
          const digits = k
          while (k < text.length && text.charCodeAt(k) >= ZERO && text.charCodeAt(k) <= NINE) k++
          if (k === digits) return undefined
          seconds = Number(text.slice(i, k))
        }
        if (text.charCodeAt(k) !== COMMA || text.charCodeAt(k + 1) !== QUOTE) return undefined
        const start = k + 2
        const end = text.indexOf('"', start)
        if (end < 0 || text.charCodeAt(end + 1) !== CLOSE_BRACKET) return undefined
        if (n === t.length) {
          const grownT = new Float64Array(n * 2)
          grownT.set(t)
          t = grownT
          const grownV = new Float64Array(n * 2)
          grownV.set(v)
          v = grownV
        }
        t[n] = Math.round(seconds * 1000)
        v[n] = decimal(text, start, end)
        n++
        i = end + 2
        const c = text.charCodeAt(i)
        if (c === COMMA) i++
        else if (c === CLOSE_BRACKET) {
          i++
          break
        } else return undefined
      }
    }
    out.push({ labels: labels as Record<string, string>, t: t.slice(0, n), v: v.slice(0, n) })
    if (text.charCodeAt(i) !== CLOSE_BRACE) return undefined
    i++
    const c = text.charCodeAt(i)
    if (c === COMMA) i++
    else if (c === CLOSE_BRACKET) break
    else return undefined
  }
  // The rest closes data; warnings or stats may follow, and matter not to the values.
  return text.startsWith(']}', i) ? out : undefined
}
