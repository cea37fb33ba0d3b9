import { english, msg, type MessageRef } from '../../../../shared/i18n'
import { failed, linesOf, parsed, type Parsed, type ParseProblem } from './result'

/** One command's output from a host script (see script-frame.ts). */
export interface Section {
  name: string
  /** Output text exactly as printed (lines joined with \n, ending with \n when non-empty). */
  body: string
  /** Exit status of the command; undefined when the script was cut off inside this section. */
  exitCode?: number
  /** Line of the script output where the body starts (1-based), for error messages. */
  firstLine: number
}

export interface ScriptOutput {
  format: string
  /** In output order; the same name may repeat (e.g. `dumpxml` once per domain). */
  sections: Section[]
  /** False when the output stopped before the script's DONE line (killed, timed out, cut). */
  complete: boolean
}

/**
 * Splits a host script's stdout into its sections. Only lines carrying the nonce from the START
 * line are markers, so a VM name or an XML description that looks like a marker is just data.
 */
export function splitSections(text: string, expectedFormat: string): Parsed<ScriptOutput> {
  const lines = linesOf(text)
  const startAt = lines.findIndex((l) => l.startsWith('@@VP '))
  if (startAt < 0) {
    const output = JSON.stringify(text.slice(0, 120))
    return failed('script', `no VirtPilot START line: the host printed ${output} instead`, { line: 1, ref: msg('access.hostOutput.noStart', { output }) })
  }
  const start = /^@@VP (\S+) START (\S+)$/.exec(lines[startAt]!)
  if (!start) return failed('script', 'malformed START line', { line: startAt + 1, ref: msg('access.hostOutput.badStart') })
  const nonce = start[1]!
  const format = start[2]!
  if (format !== expectedFormat) {
    return failed('script', `script format ${format}, expected ${expectedFormat}`, { line: startAt + 1, ref: msg('access.hostOutput.otherFormat', { format, expected: expectedFormat }) })
  }
  const prefix = `@@VP ${nonce} `
  const sections: Section[] = []
  let open: { name: string; from: number } | undefined
  let complete = false
  for (let i = startAt + 1; i < lines.length; i++) {
    const l = lines[i]!
    if (!l.startsWith(prefix)) continue
    const rest = l.slice(prefix.length)
    const begin = /^BEGIN (.+)$/.exec(rest)
    const end = /^END (.+) (\d+)$/.exec(rest)
    if (begin) {
      if (open) return failed('script', `section ${open.name} was not closed before ${begin[1]} began`, { line: i + 1, ref: msg('access.hostOutput.notClosed', { section: open.name, next: begin[1]! }) })
      open = { name: begin[1]!, from: i + 1 }
    } else if (end) {
      if (!open || open.name !== end[1]) {
        return failed('script', `END of ${end[1]} without its BEGIN`, { line: i + 1, ref: msg('access.hostOutput.endWithoutBegin', { section: end[1]! }) })
      }
      const body = lines.slice(open.from, i)
      // The script prints a newline before END so that output without a final newline still ends a line.
      if (body.length > 0 && body[body.length - 1] === '') body.pop()
      sections.push({ name: open.name, body: body.length ? body.join('\n') + '\n' : '', exitCode: Number(end[2]), firstLine: open.from + 1 })
      open = undefined
    } else if (rest === 'DONE') {
      complete = true
    } else {
      const output = JSON.stringify(rest.slice(0, 60))
      return failed('script', `unknown marker ${output}`, { line: i + 1, ref: msg('access.hostOutput.unknownMarker', { output }) })
    }
  }
  if (open) {
    const body = lines.slice(open.from)
    sections.push({ name: open.name, body: body.length ? body.join('\n') + '\n' : '', firstLine: open.from + 1 })
  }
  return parsed({ format, sections, complete })
}

/** The first section of that name, if the script printed it. */
export function sectionNamed(out: ScriptOutput, name: string): Section | undefined {
  return out.sections.find((s) => s.name === name)
}

/**
 * The section's body when its command succeeded; otherwise why not, using its stderr section. The
 * reason leaves out the section's name: every caller files it under that section, which says it.
 */
export function successfulBody(out: ScriptOutput, name: string): { body: string; section: Section } | { reason: string; ref: MessageRef } {
  const s = sectionNamed(out, name)
  const why = (ref: MessageRef) => ({ reason: english(ref), ref })
  if (!s) return why(msg('access.hostOutput.notInOutput'))
  if (s.exitCode === undefined) return why(msg('access.hostOutput.cutOff'))
  if (s.exitCode !== 0) {
    const err = sectionNamed(out, `${name}.stderr`)?.body.trim()
    const stderr = err ? err.split('\n').slice(0, 3).join(' / ') : undefined
    return why(stderr ? msg('access.hostOutput.exitSaid', { code: s.exitCode, stderr }) : msg('access.hostOutput.exit', { code: s.exitCode }))
  }
  return { body: s.body, section: s }
}

/** The section's body when its command succeeded; otherwise undefined, with the reason added to `problems`. */
export function bodyOrProblem(out: ScriptOutput, name: string, problems: ParseProblem[]): { text: string; firstLine: number } | undefined {
  const r = successfulBody(out, name)
  if ('reason' in r) {
    problems.push({ section: name, message: r.reason, ref: r.ref })
    return undefined
  }
  return { text: r.body, firstLine: r.section.firstLine }
}
