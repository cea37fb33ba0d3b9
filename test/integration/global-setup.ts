import type { TestProject } from 'vitest/node'
import { startLab } from '../lab/lab'
import { DEFAULT_BASE } from '../lab/paths'
import { stopLab } from '../lab/teardown'
import { buildCli } from '../support/built-cli'
import type { LabState } from './lab'

/** Starts the lab once for the whole integration run and always tears it down afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = process.env.VIRTPILOT_LAB_BASE ?? DEFAULT_BASE
  const log = (line: string) => console.error(`lab: ${line}`)
  let state: LabState
  await buildCli()
  try {
    const started = Date.now()
    const lab = await startLab({ hosts: 3, guests: 2, base, log })
    log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s (3 hosts x 2 guests, ${base})`)
    state = { status: 'up', lab }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    if (process.env.VIRTPILOT_REQUIRE_LAB === '1') {
      throw new Error(`the lab could not start and VIRTPILOT_REQUIRE_LAB=1: ${reason}`, { cause: error })
    }
    console.error(`\nintegration tests SKIPPED: the lab could not start: ${reason}\n`)
    state = { status: 'unavailable', reason }
  }
  project.provide('virtpilotLab', state)

  return async () => {
    if (state.status !== 'up') return
    const started = Date.now()
    const keep = process.env.VIRTPILOT_LAB_KEEP === '1'
    await stopLab({ base, keep, log })
    log(`down in ${((Date.now() - started) / 1000).toFixed(1)} s${keep ? ` (files kept in ${base})` : ''}`)
  }
}
