import { escapeUnsafe } from '../../shared/text/control'
import { shellQuote } from '../ssh/quote'

/**
 * Free text (a title, a purpose, a name) in an exported shell script: one line, quoted as one
 * word. The only way text other than a command line enters a script, so no name can end a
 * comment, break a line or be read as a command.
 */
export function shellText(text: string): string {
  return shellQuote(escapeUnsafe(text))
}
