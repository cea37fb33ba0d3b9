/**
 * POSIX shell quoting for the one place a command line is built for a remote host: every
 * argument becomes a single-quoted word, so no character in it (space, quote, `;`, `$()`,
 * newline, non-ASCII) can do anything but be itself.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('An argument cannot contain a NUL byte')
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('Empty command')
  return argv.map(shellQuote).join(' ')
}
