import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SnapshotSchema } from '../../../shared/model'

// The real command, run as an admin would from a checkout (tsx compiles the TypeScript source).
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 })
}

describe('virtpilot CLI', { timeout: 60_000 }, () => {
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

  it('recommends moving load from a hotter demo host to a cooler one, from a saved snapshot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-cli-'))
    const file = join(dir, 'snapshot.json')
    const demo = cli('demo', '--json').stdout
    writeFileSync(file, demo)
    const snapshot = SnapshotSchema.parse(JSON.parse(demo))
    const run = cli('recommend', '--snapshot', file, '--strategy', 'hybrid', '--json')
    expect(run.status, run.stderr).toBe(0)
    const output = JSON.parse(run.stdout) as {
      strategy: string
      recommendations: { kind: string; actions: { action: { kind: string; from?: string; to?: string } }[] }[]
      hostLoads: { hostId: string; cpu: { demandLoad: number }; mem: { demandLoad: number } }[]
    }
    expect(output.strategy).toBe('hybrid')
    const moves = output.recommendations.filter((r) => r.kind === 'migrate').flatMap((r) => r.actions.map((a) => a.action))
    expect(moves.length).toBeGreaterThan(0)
    // The demo replays real traces, so which host is hottest depends on the moment; the move must go downhill.
    const load = (host: string) => {
      const h = output.hostLoads.find((x) => x.hostId === host)!
      return Math.max(h.cpu.demandLoad, h.mem.demandLoad)
    }
    expect(load(moves[0]!.from!)).toBeGreaterThan(load(moves[0]!.to!))
    expect(snapshot.hosts.map((h) => h.id)).toContain(moves[0]!.from)
  }, 60_000)

  it('names the bad field of a snapshot file and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-cli-'))
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ t: 1, hosts: [{ id: 'h' }], vms: [], hostSamples: [], vmSamples: [] }))
    const run = cli('recommend', '--snapshot', file, '--json')
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/hosts\.0\.name/)
    expect(cli('recommend', '--snapshot', join(dir, 'missing.json'), '--json').stderr).toMatch(/Cannot read/)
  })
})
