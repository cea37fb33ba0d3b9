import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { z } from 'zod'
import { ApiFailure, describeIssues, issueRefs } from '../../shared/api/result'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import { ScenarioSchema, type Scenario } from '../../shared/model/scenario'
import { findJsonSyntaxError } from './json-position'

/** One problem of an input: the English line (kept for scripts and logs) and VirtPilot's words for it, when it has them. */
export interface InputProblem {
  text: string
  ref: MessageRef | null
}

/** A problem VirtPilot words itself: its English is the message said in English. */
export function problem(ref: MessageRef): InputProblem {
  return { text: english(ref), ref }
}

/** zod's issues: their own English lines, and each in the admin's words. */
export function issueProblems(error: z.ZodError): InputProblem[] {
  const refs = issueRefs(error)
  return describeIssues(error).map((text, i) => ({ text, ref: refs[i] ?? null }))
}

/** A scenario or trace that could not be loaded; `details` name the line or field to fix. */
export class ScenarioInputError extends Error {
  override name = 'ScenarioInputError'
  constructor(
    /** What is wrong, in the admin's words; the English is the error's message. */
    readonly ref: MessageRef,
    readonly problems: InputProblem[] = [],
  ) {
    const summary = english(ref)
    super(problems.length > 0 ? `${summary}\n  ${problems.slice(0, 20).map((p) => p.text).join('\n  ')}` : summary)
  }

  /** The first line of the message, without the details. */
  get summary(): string {
    return this.message.split('\n')[0]!
  }

  /** Each problem's English line. */
  get details(): string[] {
    return this.problems.map((p) => p.text)
  }

  /** The api failure that carries it: English summary and lines, and the messages beside them. */
  toApiFailure(): ApiFailure {
    const refs = this.problems.map((p) => p.ref)
    return new ApiFailure('bad-request', this.summary, this.details, this.ref, refs.some(Boolean) ? refs : undefined)
  }
}

/** Line and column (1-based) of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lastBreak = -1
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lastBreak = i
    }
  }
  return { line, column: offset - lastBreak }
}

/** Where a text JSON.parse refused stops being JSON, in VirtPilot's words; null when the scanner finds nothing wrong. */
export function jsonSyntaxProblem(text: string): MessageRef | null {
  if (text.trim() === '') return msg('input.json.at', { line: 1, column: 1, reason: msg('input.json.expectedObject') })
  const found = findJsonSyntaxError(text)
  if (!found) return null
  const { line, column } = lineAndColumn(text, found.offset)
  return msg('input.json.at', { line, column, reason: found.reason })
}

/** JSON.parse with the error located at a line and column. */
export function parseJsonWithPosition(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const where = jsonSyntaxProblem(text)
    const summary = msg(text.trim() === '' ? 'input.file.empty' : 'input.file.notJson', { file: fileName })
    // V8's own words when the scanner finds nothing wrong (it should not happen).
    throw new ScenarioInputError(summary, [where ? problem(where) : { text: (error as Error).message, ref: null }])
  }
}

/**
 * A scenario file's text to a validated Scenario. Either the whole file loads or an error names
 * every problem (JSON line and column, or the field path of each invalid value).
 */
export function parseScenarioText(text: string, fileName = 'scenario.json'): Scenario {
  const json = parseJsonWithPosition(text, fileName)
  const version = (json as { version?: unknown } | null)?.version
  if (typeof json === 'object' && json !== null && typeof version === 'number' && version > 1) {
    throw new ScenarioInputError(msg('input.file.newerVersion', { file: fileName, version }))
  }
  const parsed = ScenarioSchema.safeParse(json)
  if (!parsed.success) throw new ScenarioInputError(msg('input.file.notScenario', { file: fileName }), issueProblems(parsed.error))
  return parsed.data
}

export function readScenarioFile(file: string): Scenario {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ScenarioInputError(msg('input.file.cannotRead', { file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }))
  }
  return parseScenarioText(text, basename(file))
}
