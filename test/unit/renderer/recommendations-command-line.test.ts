import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { commandLine, shellWord } from '../../../src-renderer/format/command-line'

describe('commandLine', () => {
  it('leaves plain words bare, as the host runs them', () => {
    expect(commandLine(['virsh', '-c', 'qemu:///system', 'setmem', '--domain', '02e59848-c216-4ebd-a91f-834662653558', '--size', '23330816', '--config'])).toBe(
      'virsh -c qemu:///system setmem --domain 02e59848-c216-4ebd-a91f-834662653558 --size 23330816 --config',
    )
  })

  it('single-quotes words a shell would split or expand', () => {
    expect(shellWord('qemu+tcp://127.0.0.1:{tunnel-port}/system')).toBe("'qemu+tcp://127.0.0.1:{tunnel-port}/system'")
    expect(shellWord('a b')).toBe("'a b'")
    expect(shellWord('$(touch /tmp/x)')).toBe("'$(touch /tmp/x)'")
    expect(shellWord('x;rm -rf /')).toBe("'x;rm -rf /'")
    expect(shellWord('*')).toBe("'*'")
  })

  it("escapes a single quote as '\\''", () => {
    expect(shellWord("it's")).toBe("'it'\\''s'")
  })

  it('shows an empty argument as two quotes', () => {
    expect(commandLine(['echo', ''])).toBe("echo ''")
  })

  it('gives back the same argv when a real sh reads it, for hostile names', () => {
    const argv = ["we'ird $name `x`", 'a\tb', 'c"d', '$(touch /tmp/virtpilot-pwned)', 'x;y|z&', '~', '*', 'new\nline', '']
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${commandLine(argv)}`]).toString()
    expect(out.split('\0').slice(0, -1)).toEqual(argv)
  })
})
