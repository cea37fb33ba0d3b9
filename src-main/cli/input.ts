import { readFileSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { z } from 'zod'
import pkg from '../../package.json'
import { ApiFailure } from '../../shared/api'
import { english, msg } from '../../shared/i18n'
import type { MessageRef } from '../../shared/model'
import { createServices, type Services, type ServicesOptions } from '../services/services'
import { resolveDataFile } from '../store/paths'
import { terminalJson, terminalText } from '../text/terminal'
import { issueProblems, jsonSyntaxProblem, type InputProblem } from '../whatif/scenario-file'
import { terminalPrompter } from './terminal-prompter'

/** Bad input (a file, a host, a refused plan): exit 1 with the message. */
export class InputError extends Error {
  override name = 'InputError'
  /** The same in the CLI's language: VirtPilot's words as a message, after what it is about (a file name). */
  constructor(
    /** In English, without what it is about. */
    readonly text: string,
    readonly ref?: MessageRef,
    readonly about?: string,
    /** The lines under it whose English in `text` is zod's or V8's own, each with VirtPilot's words where it has them. */
    readonly problems: readonly InputProblem[] = [],
  ) {
    super(about ? `${about}: ${text}` : text)
  }
}

/** An InputError VirtPilot words itself: the English beside the message for the CLI's language. */
export function refusedInput(ref: MessageRef, about?: string): InputError {
  return new InputError(english(ref), ref, about)
}

/**
 * Bad input with problems under it: in English the message, `join` and each problem's own English
 * (as scripts know it); in another language the message, then the problems in VirtPilot's words.
 */
function refusedWithProblems(ref: MessageRef, problems: readonly InputProblem[], join = ':\n  '): InputError {
  const text = english(ref) + join + problems.map((p) => p.text).join('\n  ')
  return new InputError(text, ref, undefined, problems)
}

/** In a catch: a refusal of the services (ApiFailure) becomes bad input in the CLI's language; anything else goes on. */
export function refusedByServices(error: unknown): never {
  if (error instanceof ApiFailure) throw new InputError(error.message, error.messageRef)
  throw error
}

/** Bad usage (an unknown option, a missing argument): exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor(
    message: string,
    /** The same in the CLI's language, where VirtPilot words it. */
    readonly ref?: MessageRef,
    /** As InputError's problems: lines whose English in the message is zod's own. */
    readonly problems: readonly InputProblem[] = [],
  ) {
    super(message)
  }
}

/** A UsageError VirtPilot words itself: the English beside the message for the CLI's language. */
export function badUsage(ref: MessageRef): UsageError {
  return new UsageError(english(ref), ref)
}

/**
 * Reads a JSON file and checks it against a schema (`what` it should be: cli.file.snapshot ...); any
 * problem is an InputError naming the file, field by field as scenario files are.
 */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, what: MessageRef): T {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw refusedInput(msg('input.file.cannotRead', { file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw refusedWithProblems(msg('input.file.notJson', { file }), [{ text: (error as Error).message, ref: jsonSyntaxProblem(text) }], ': ')
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw refusedWithProblems(msg('cli.file.notKind', { file, what }), issueProblems(parsed.error).slice(0, 10))
  return parsed.data
}

export function writeJsonFile(file: string, value: unknown): void {
  try {
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
  } catch (error) {
    throw refusedInput(msg('cli.file.cannotWrite', { file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message }))
  }
}

/** A number option within bounds (integers when asked), or a UsageError naming it. */
export function numberOption(name: string, text: string, min: number, max: number, integer = false): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw badUsage(msg(integer ? 'cli.usage.wholeNumber' : 'cli.usage.number', { option: `--${name}`, min, max, value: text }))
  }
  return n
}

/** Values as typed, for a message's list of them (`items`: "a, b" in English, "a、b" in Chinese). */
export const asTyped = (values: readonly string[]): MessageRef[] => values.map((text) => msg('engine.verbatim', { text }))

/** JSON on stdout; host text in it cannot drive the terminal (see terminalJson). */
export const printJson = (value: unknown) => process.stdout.write(`${terminalJson(value)}\n`)

/** Host text (output, names) on the terminal without control characters that could drive it. */
export const terminalSafe = terminalText

/** Asks a yes/no question on the terminal; no terminal means no. */
export function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return Promise.resolve(false)
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    rl.question(`${question} [y/N] `, (answer) => {
      rl.close()
      resolve(/^y(es)?$/i.test(answer.trim()))
    })
    rl.on('SIGINT', () => {
      rl.close()
      resolve(false)
    })
  })
}

/** The services on a data file as the CLI uses them: terminal prompts, messages on stderr. */
export function cliServices(dataFile: string | undefined, options: Partial<ServicesOptions> = {}): Services {
  return createServices({
    transport: 'cli',
    prompter: terminalPrompter(),
    dataFile: resolveDataFile(dataFile),
    version: pkg.version,
    unknownHostKeys: 'refuse',
    demo: 'off',
    log: () => {},
    ...options,
  })
}

/**
 * Runs with the services, and always stops them (closing SSH connections and the file). Started
 * (every stored host connected and polled) unless `start` is false.
 */
export async function withServices<T>(services: Services, body: (services: Services) => Promise<T>, start = true): Promise<T> {
  try {
    if (start) await services.start()
    return await body(services)
  } finally {
    await services.stop()
  }
}
