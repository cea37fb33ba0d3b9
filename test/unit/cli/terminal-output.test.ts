import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import ssh2 from 'ssh2'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { terminalJson, terminalText } from '../../../src-main/text/terminal'
import { startSshServer, type TestSshServer } from '../support/ssh-server'
import { cliArgv } from '../../support/built-cli'

// What a host prints can reach the admin's terminal through the CLI's messages and JSON. Escape
// sequences in it (OSC 52 writes the clipboard, CSI moves the cursor, 8-bit CSI is U+009B) must
// arrive as visible text, never as control characters.

const HOSTILE = 'pwned \x1b]52;c;cHduZWQ=\x07 \x1b[2J \u009b31m \u2028 \u202e'
/** Control characters a terminal acts on (line feed and tab aside). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/

let dir: string
let server: TestSshServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtpilot-term-'))
  mkdirSync(join(dir, '.ssh'))
  writeFileSync(join(dir, '.ssh', 'id_ed25519'), ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 })
  server = await startSshServer({
    authenticate: (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])),
    exec: (_command, channel) => {
      // Not VirtPilot's script output at all: the error quotes what the host printed.
      channel.write(`${HOSTILE}\n`)
      channel.stderr.write(`${HOSTILE}\n`)
      channel.exit(0)
      channel.end()
    },
  })
})

afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

it('collect: a host printing terminal escape sequences shows them as text in the error and the JSON', { timeout: 60_000 }, async () => {
  const run = await promisify(execFile)(process.execPath, cliArgv(['collect', `admin@127.0.0.1:${server.port}`, '--accept-new', '--json']), {
    encoding: 'utf8',
    env: { ...process.env, VIRTPILOT_SSH_DIR: join(dir, '.ssh'), VIRTPILOT_DATA: join(dir, 'virtpilot.db'), SSH_AUTH_SOCK: '' },
    timeout: 60_000,
  }).then(
    () => {
      throw new Error('collect should exit 1 for a host it could not read')
    },
    (error: { code: number; stdout: string; stderr: string }) => error,
  )
  expect(run.code).toBe(1)
  expect(run.stderr).toContain('pwned')
  expect(run.stderr).not.toMatch(CONTROL)
  expect(run.stdout).not.toMatch(CONTROL)
  expect(JSON.parse(run.stdout).hosts[0].error).toContain('\u009b31m')
})

it('terminalText keeps line breaks and escapes everything else a terminal would act on; terminalJson stays valid JSON', () => {
  expect(terminalText(`a\n${HOSTILE}`)).toBe('a\npwned \\u{1b}]52;c;cHduZWQ=\\u{7} \\u{1b}[2J \\u{9b}31m \\u{2028} \\u{202e}')
  const json = terminalJson({ output: HOSTILE })
  expect(json).not.toMatch(CONTROL)
  expect(JSON.parse(json)).toEqual({ output: HOSTILE })
})

it('an error that quotes what the admin typed shows its control and bidi characters as text', { timeout: 60_000 }, async () => {
  const run = await promisify(execFile)(process.execPath, cliArgv(['hosts', 'add', `a${HOSTILE}b@host`, '--json']), {
    encoding: 'utf8',
    env: { ...process.env, VIRTPILOT_SSH_DIR: join(dir, '.ssh'), VIRTPILOT_DATA: join(dir, 'typed.db') },
    timeout: 60_000,
  }).then(
    () => {
      throw new Error('hosts add should refuse a target with control characters')
    },
    (error: { code: number; stderr: string }) => error,
  )
  expect(run.code).toBe(1)
  expect(run.stderr).toContain('is not a valid user name')
  expect(run.stderr).not.toMatch(CONTROL)
})
