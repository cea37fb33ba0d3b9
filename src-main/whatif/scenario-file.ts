import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { describeIssues } from '../../shared/api/result'
import { ScenarioSchema, type Scenario } from '../../shared/model/scenario'
import { findJsonSyntaxError } from './json-position'

/** A scenario or trace that could not be loaded; `details` name the line or field to fix. */
export class ScenarioInputError extends Error {
  override name = 'ScenarioInputError'
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}\n  ${details.slice(0, 20).join('\n  ')}` : message)
  }

  /** The first line of the message, without the details. */
  get summary(): string {
    return this.message.split('\n')[0]!
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

/** JSON.parse with the error located at a line and column. */
export function parseJsonWithPosition(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    if (text.trim() === '') throw new ScenarioInputError(`${fileName} is empty`, ['line 1, column 1: expected a JSON object'])
    const problem = findJsonSyntaxError(text)
    if (!problem) throw new ScenarioInputError(`${fileName} is not valid JSON`, [(error as Error).message])
    const { line, column } = lineAndColumn(text, problem.offset)
    throw new ScenarioInputError(`${fileName} is not valid JSON`, [`line ${line}, column ${column}: ${problem.reason}`])
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
    throw new ScenarioInputError(`${fileName} is scenario version ${version}; this VirtPilot reads version 1. Upgrade VirtPilot.`)
  }
  const parsed = ScenarioSchema.safeParse(json)
  if (!parsed.success) throw new ScenarioInputError(`${fileName} is not a valid VirtPilot scenario`, describeIssues(parsed.error))
  return parsed.data
}

export function readScenarioFile(file: string): Scenario {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ScenarioInputError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  return parseScenarioText(text, basename(file))
}
