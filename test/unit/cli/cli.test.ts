import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { SnapshotSchema } from '../../../shared/model'

// The real command, run as an admin would from a checkout (tsx compiles the TypeScript source).
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 })
}

describe('virtpilot CLI', () => {
  it('prints one demo snapshot as JSON', () => {
    const run = cli('demo', '--json')
    expect(run.status).toBe(0)
    const snapshot = SnapshotSchema.parse(JSON.parse(run.stdout))
    expect(snapshot.hosts).toHaveLength(3)
    expect(snapshot.vms).toHaveLength(24)
    expect(snapshot.vmSamples).toHaveLength(24)
  })

  it('explains itself with --help', () => {
    const run = cli('--help')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/virtpilot serve/)
    expect(run.stdout).toMatch(/virtpilot demo --json/)
  })

  it('exits 2 with a clear message on bad usage', () => {
    const unknown = cli('frobnicate')
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/)
    const badFlag = cli('serve', '--port', 'abc')
    expect(badFlag.status).toBe(2)
    expect(badFlag.stderr).toMatch(/--port/)
    expect(cli('demo').status).toBe(2)
  })
})
