import { english, msg, type MessageParam, type MessageRef } from '../../../../shared/i18n'

/**
 * Outcome of parsing one piece of host output. Bad output is a value that says where it went
 * wrong (section, line, field), never an exception.
 */
export interface ParseProblem {
  /** Which output it came from: `domstats`, `/proc/stat`, `capabilities`, ... */
  section: string
  /** 1-based line inside that section, when known. */
  line?: number
  /** The field or key that was wrong, when known. */
  field?: string
  message: string
  /** The message in VirtPilot's words for the reader's language, where the parser has them (its English is `message`). */
  ref?: MessageRef
}

export type Parsed<T> = { ok: true; value: T; warnings: ParseProblem[] } | { ok: false; error: ParseProblem }

export function parsed<T>(value: T, warnings: ParseProblem[] = []): Parsed<T> {
  return { ok: true, value, warnings }
}

/** A failure of this section: a message in VirtPilot's words (its English becomes `message`), or English alone. */
export function failed<T = never>(section: string, message: string | MessageRef, at: { line?: number; field?: string; ref?: MessageRef } = {}): Parsed<T> {
  if (typeof message === 'string') return { ok: false, error: { section, message, ...at } }
  return { ok: false, error: { section, message: english(message), ...at, ref: message } }
}

/** A line this parser does not know, quoted as the host printed it (its first 80 characters). */
export function unexpectedLine<T = never>(section: string, text: string, line: number): Parsed<T> {
  return failed(section, msg('hostOutput.unexpectedLine', { output: JSON.stringify(text.slice(0, 80)) }), { line })
}

/** A failure of this section for the reason another problem gives (a missing or failed section). */
export function failedAs<T = never>(section: string, why: ParseProblem): Parsed<T> {
  return failed(section, why.message, why.ref ? { ref: why.ref } : {})
}

/** One line of text for logs and error messages: `domstats line 12 (cpu.time): not a number`. */
export function describeProblem(p: ParseProblem): string {
  const where = [p.section, p.line !== undefined ? `line ${p.line}` : '', p.field ? `(${p.field})` : '']
    .filter(Boolean)
    .join(' ')
  return `${where}: ${p.message}`
}

/** describeProblem as a message: where, then what (the parser's English as it is where it has no message for it). */
export function problemRef(p: ParseProblem): MessageRef {
  let where: MessageParam = p.section
  if (p.line !== undefined) where = msg('access.hostOutput.line', { section: p.section, line: p.line })
  if (p.field) where = msg('access.hostOutput.field', { where, field: p.field })
  return msg('access.hostOutput.problem', { where, message: p.ref ?? msg('engine.verbatim', { text: p.message }) })
}

/** Non-negative integer counter as the kernel and libvirt print them; undefined when it is not one. */
export function toCounter(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n : Number.isFinite(n) ? n : undefined
}

/** Decimal number (may be negative or fractional); undefined when it is not one. */
export function toNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text.trim())) return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/** Splits text into lines without the trailing empty line a final newline leaves. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n')
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}
