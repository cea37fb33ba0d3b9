import { needsOwnWords } from '../../shared/api/issues'
import { english, formatMessage, msg } from '../../shared/i18n'
import type { Language, MessageRef } from '../../shared/model'
import type { InputProblem } from '../whatif/scenario-file'

/**
 * The language of the CLI's own sentences (errors, progress): English unless `--lang zh-CN` or a
 * Chinese locale (LANG=zh_CN.UTF-8, LC_ALL, LC_MESSAGES). JSON output never changes with it:
 * its messages stay English, with their key and values beside them for scripts.
 */
let current: Language = 'en'

/** Takes `--lang L` / `--lang=L` out of argv and settles the language from it or the environment. */
export function settleLanguage(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const rest: string[] = []
  let asked: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--lang') asked = argv[++i] ?? ''
    else if (arg.startsWith('--lang=')) asked = arg.slice('--lang='.length)
    else rest.push(arg)
  }
  // The environment's first: an unknown --lang is refused in it.
  current = languageOf(env.LC_ALL || env.LC_MESSAGES || env.LANG || '', false)
  if (asked !== undefined) current = languageOf(asked, true)
  return rest
}

export class LanguageError extends Error {
  override name = 'LanguageError'
  constructor(readonly ref: MessageRef) {
    super(english(ref))
  }
}

function languageOf(name: string, strict: boolean): Language {
  if (/^zh([-_](CN|Hans|SG)\b|$)/i.test(name)) return 'zh-CN'
  if (!strict || /^en([-_]|$)/i.test(name)) return 'en'
  throw new LanguageError(msg('cli.usage.lang', { value: JSON.stringify(name) }))
}

export function cliLanguage(): Language {
  return current
}

/** A message in the CLI's language; its English when there is none. */
export function say(ref: MessageRef | undefined, english: string): string {
  return ref ? formatMessage(ref, current, english) : english
}

/** One of the CLI's own sentences in its language. */
export function tell(ref: MessageRef): string {
  return formatMessage(ref, current)
}

/** One problem of an input: VirtPilot's words where it has them, else its own (zod's, V8's). */
export function sayProblem(problem: InputProblem): string {
  return problem.ref && !needsOwnWords(problem.ref) ? say(problem.ref, problem.text) : problem.text
}

/**
 * A refusal with problems under it (zod's or V8's lines): in English as it was said, which scripts
 * match; in another language its message, then each problem on a line of its own.
 */
export function sayRefusal(text: string, ref: MessageRef | undefined, problems: readonly InputProblem[] = []): string {
  if (problems.length === 0 || !ref) return say(ref, text)
  if (current === 'en') return text
  return [tell(ref), ...problems.map(sayProblem)].join('\n  ')
}

/** What a failure says in the CLI's language: VirtPilot's words where it sent them, else its message. */
export function sayError(error: unknown): string {
  const e = error as Error & { messageRef?: MessageRef; ref?: MessageRef; problems?: readonly InputProblem[] }
  return sayRefusal(e.message, e.messageRef ?? e.ref, e.problems)
}
