import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../fixtures/outputs/', import.meta.url))

/** A real host output copied into test/fixtures/outputs (origin in its README.md). */
export function fixture(path: string): string {
  return readFileSync(root + path, 'utf8')
}

/** Unwraps a Parsed value, failing the test with the parser's own message. */
export function ok<T>(p: { ok: true; value: T } | { ok: false; error: { section: string; message: string; line?: number; field?: string } }): T {
  if (!p.ok) throw new Error(`expected a parse, got ${p.error.section} line ${p.error.line} (${p.error.field}): ${p.error.message}`)
  return p.value
}
