import { escapeUnsafe } from '../../shared/text/control'

/**
 * Text for the admin's terminal. Host output and names may hold escape sequences (ESC, CSI,
 * OSC: set the title, write the clipboard, hide text): each such character is written as a
 * visible `\u{…}` escape; line breaks stay.
 */
export function terminalText(text: string): string {
  return text.split('\n').map(escapeUnsafe).join('\n')
}

/** JSON for a terminal: JSON.stringify escapes C0 controls itself; C1, DEL, U+2028/2029 and bidi marks are escaped here too. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
