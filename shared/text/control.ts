/**
 * Text from a host or a file is data: it must never break a line, steer a terminal or reorder
 * what the admin reads. These are the characters that can: C0 and C1 controls with DEL, the
 * Unicode line and paragraph separators, bidirectional overrides (text that reads differently
 * than it runs) and lone surrogates (not text at all).
 */
// One character class, one step per character whatever the input; with the u flag the surrogate
// range matches only a surrogate that is not half of a pair.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu

/** Whether the text holds a character listed above. */
export function hasUnsafeCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0
  return UNSAFE.test(text)
}

/** The text with each such character written as a visible `\u{…}` escape, on one line. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)
}

/**
 * A name reported by a host (VM, host, storage): kept, but written so it cannot act as anything
 * but a name. Every parser passes names through here, once, where they enter VirtPilot.
 */
export function nameFromHost(raw: string): { name: string; escaped: boolean } {
  const name = escapeUnsafe(raw)
  return { name, escaped: name !== raw }
}
