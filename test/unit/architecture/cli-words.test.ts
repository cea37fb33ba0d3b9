import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The CLI says its refusals in the admin's language (--lang zh-CN): each is a message key with its
// values (badUsage, refusedInput), never English written at the throw. This holds new ones to it.
const CLI_DIR = new URL('../../../src-main/cli/', import.meta.url).pathname

/** Errors whose second argument is the message for the CLI's language (the first is its English). */
const NEEDS_REF = new Set(['InputError', 'UsageError'])

/** Is this expression text written here: a string or template literal, or one joined or chosen from them? */
function writtenText(node: ts.Expression): boolean {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) return true
  if (ts.isParenthesizedExpression(node)) return writtenText(node.expression)
  if (ts.isConditionalExpression(node)) return writtenText(node.whenTrue) || writtenText(node.whenFalse)
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return writtenText(node.left) || writtenText(node.right)
  return false
}

/** Every `new …Error(…)` of a file that carries English of its own, as "file:line: code". */
function englishOnlyErrors(file: string, source: string): string[] {
  const found: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text.endsWith('Error')) {
      const name = node.expression.text
      const [text, ref] = node.arguments ?? []
      if ((text && writtenText(text)) || (NEEDS_REF.has(name) && !ref)) {
        const { line } = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart())
        found.push(`${file}:${line + 1}: ${node.getText().slice(0, 80)}`)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true))
  return found
}

describe('the CLI words its errors as messages', () => {
  it('no file in src-main/cli builds an error from English text, or an InputError or UsageError without its message', () => {
    const files = readdirSync(CLI_DIR).filter((f) => f.endsWith('.ts'))
    expect(files).toContain('input.ts')
    expect(files.flatMap((f) => englishOnlyErrors(f, readFileSync(join(CLI_DIR, f), 'utf8')))).toEqual([])
  })

  it('finds the ways English slips in, and lets messages through', () => {
    const code = [
      "throw new UsageError('plan needs --json')",
      'throw new UsageError(`--port must be 0-65535, got ${port}`)',
      "throw new UsageError(verb ? 'a' : `b ${verb}`, ref)",
      "throw new InputError('Not in ' + file)",
      'throw new InputError(error.message)',
      'throw new Error(`The renderer is not built`)',
      // Accepted: the message and its English, or the English a failure carries beside its message.
      "throw badUsage(msg('cli.plan.needsFrom'))",
      'throw new InputError(error.message, error.messageRef)',
      'throw new UsageError(problems.map((p) => p.text).join("; "), ref, problems)',
      "throw new LanguageError(msg('cli.usage.lang', { value }))",
    ].join('\n')
    expect(englishOnlyErrors('x.ts', code).map((f) => f.split(':')[1])).toEqual(['1', '2', '3', '4', '5', '6'])
  })
})
