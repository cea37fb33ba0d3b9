/** Characters a POSIX shell reads literally outside quotes. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/

/** One argv word as a POSIX shell would need it typed: bare when safe, else single-quoted. */
export function shellWord(word: string): string {
  if (word === '') return "''"
  if (PLAIN_WORD.test(word)) return word
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * An argv as the command line the host runs, for display only: VirtPilot sends argv and
 * quotes each word itself, so this text is never executed.
 */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ')
}
