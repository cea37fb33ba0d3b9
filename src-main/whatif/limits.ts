import { SCENARIO_LIMITS } from '../../shared/model/scenario'

/**
 * What an imported trace or scenario may ask of VirtPilot. A file is hostile input like host
 * output: a 76-byte CSV must not make a 1.7e8-step grid, a 0.6 MB .gz must not unpack to 600 MB.
 * Every refusal names the limit it hit.
 */
const MiB = 1024 * 1024
export const IMPORT_LIMITS = {
  /** Text of one trace file after gunzip. */
  decompressedBytes: 256 * MiB,
  /** Data rows of one import, all files together. */
  rows: 10_000_000,
  /** Columns of a generic CSV header (it needs 4, names 7). */
  columns: 64,
  /** Steps of the grid (the scenario's own limit). */
  steps: SCENARIO_LIMITS.steps,
  /** VMs x steps held in memory, two series each (500 VMs x 30 days of 5-minute steps is 4.3 million). */
  vmSteps: 10_000_000,
  /** Memory of the worker thread an import or a replay runs in (V8's old generation). */
  workerMemoryMiB: 2048,
  /** Wall-clock time an import may take in its worker. */
  importSeconds: 300,
  /** Wall-clock time one what-if comparison may take in its workers. */
  replaySeconds: 900,
} as const

export const count = (n: number): string => Math.round(n).toLocaleString('en')
export const mib = (bytes: number): string => `${Math.round(bytes / MiB)} MiB`
