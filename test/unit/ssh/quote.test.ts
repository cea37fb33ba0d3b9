import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { commandLine, shellQuote } from '../../../src-main/ssh/quote'

describe('shellQuote', () => {
  it('leaves plain words readable', () => {
    expect(commandLine(['virsh', 'setvcpus', 'web-01', '4', '--live'])).toBe('virsh setvcpus web-01 4 --live')
  })

  // 60 shells: seconds on a busy machine.
  it('makes every string arrive as itself in a real POSIX shell', { timeout: 120_000 }, () => {
    // The remote side runs the command through the login shell; /bin/sh here is the same kind.
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 4 }), (args) => {
        const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${args.map(shellQuote).join(' ')}`])
        expect(out.toString('utf8').split('\0').slice(0, -1)).toEqual(args)
      }),
      { numRuns: 60 },
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
