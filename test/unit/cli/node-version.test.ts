import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// better-sqlite3 13 dies with SIGSEGV on Node 20 the moment a data file opens: the command must say
// what to install instead. bin/virtpilot.js checks before it loads anything.
const run = (node: string, args: string[], env: Record<string, string> = {}, preload: string[] = []) =>
  spawnSync(node, [...preload, 'bin/virtpilot.js', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LANG: 'C', LC_ALL: '', LC_MESSAGES: '', ...env } })
/** Node 22 reporting an older version: the one way to test the check where no old Node is installed. */
const pretend = (version: string) => ['--import', `data:text/javascript,Object.defineProperty(process, "versions", { value: { ...process.versions, node: "${version}" } })`]

describe('the virtpilot command on an unsupported Node.js', () => {
  it('refuses Node older than 22.12 with what to install, in English or Chinese, before opening anything', () => {
    const old = run(process.execPath, ['hosts', 'list', '--json'], {}, pretend('20.20.2'))
    expect(old.status).toBe(1)
    expect(old.stderr).toBe('virtpilot: needs Node.js 22.12 or newer; this is 20.20.2. Install Node 22 LTS (README: Troubleshooting).\n')
    expect(run(process.execPath, ['--lang', 'zh-CN', '--version'], {}, pretend('22.11.0')).stderr).toBe('virtpilot: 需要 Node.js 22.12 或更新版本；当前为 22.11.0。请安装 Node 22 LTS（见 README 的 Troubleshooting）。\n')
    expect(run(process.execPath, ['--version'], { LANG: 'zh_CN.UTF-8' }, pretend('20.20.2')).stderr).toMatch(/^virtpilot: 需要 Node\.js 22\.12/)
    // The supported version goes on to the built CLI (or says it is not built: unit tests build their own copy elsewhere).
    expect(run(process.execPath, ['--version']).stderr).not.toMatch(/Node\.js/)
  })

  // Debian 12's own Node (20) where it is installed, as on CI's machine: the real crash the check prevents.
  const system = existsSync('/usr/bin/node') ? spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).stdout.trim() : ''
  const [major = 0, minor = 0] = system.replace(/^v/, '').split('.').map(Number)
  it.runIf(system !== '' && (major < 22 || (major === 22 && minor < 12)))(`the system Node.js (${system || 'none'}) gets the message, not a segmentation fault`, () => {
    const real = run('/usr/bin/node', ['hosts', 'list', '--json', '--data', '/nonexistent/virtpilot.db'])
    expect(real.signal).toBeNull()
    expect(real.status).toBe(1)
    expect(real.stderr).toMatch(/^virtpilot: needs Node\.js 22\.12 or newer; this is 2\d\./)
  })
})
