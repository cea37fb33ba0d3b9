import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { commandLine, shellQuote } from '../../../src-main/ssh/quote'

describe('shellQuote', () => {
  it('leaves plain words readable', () => {
    expect(commandLine(['virsh', 'setvcpus', 'web-01', '4', '--live'])).toBe('virsh setvcpus web-01 4 --live')
  })

  // A few shells: seconds on a busy machine.
  it('makes every string arrive as itself in a real POSIX shell', { timeout: 120_000 }, () => {
    // The remote side runs the command through the login shell; /bin/sh here is the same kind.
    // 60 argument lists in a few shells (a shell per list would be 60 processes on a busy machine).
    const argLists = fc.array(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 4 }), { minLength: 20, maxLength: 20 })
    fc.assert(
      fc.property(argLists, (lists) => {
        const script = lists.map((args) => `printf '%s\\0' ${args.map(shellQuote).join(' ')}`).join('\n')
        // Every word ends with a NUL: the words and their boundaries arrive as they were.
        expect(execFileSync('/bin/sh', ['-c', script]).toString('utf8').split('\0').slice(0, -1)).toEqual(lists.flat())
      }),
      { numRuns: 3 },
    )
  })

  it('never lets a name run a command', () => {
    const name = `vm'; touch /tmp/pwned-$$; echo '$(id)\`id\``
    const out = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(name)}`]).toString()
    expect(out).toBe(name)
  })

  it('refuses NUL, which no shell argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/)
  })
})
