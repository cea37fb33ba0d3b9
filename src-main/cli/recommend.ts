import { readFileSync } from 'node:fs'
import highsLoader from 'highs'
import type { z } from 'zod'
import { describeIssues } from '../../shared/api'
import type { History } from '../../shared/engine/history'
import type { AllocationStrategy } from '../../shared/engine/options'
import { recommend, type RecommendOutput } from '../../shared/engine/recommend'
import type { MipSolver } from '../../shared/engine/solver'
import { SnapshotSchema, type ClusterFacts, type Snapshot } from '../../shared/model'
import type { Services } from '../services/services'
import { demoFacts } from '../hosts/demo/facts'
import { mergeFacts } from '../hosts/facts'

/** How far back the engine looks in stored history (rightsizing wants at least 7 days). */
const HISTORY_WINDOW_MS = 30 * 24 * 3600_000

export class InputError extends Error {
  override name = 'InputError'
}

/** Reads a JSON file and checks it against a schema; any problem is an InputError naming the file. */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new InputError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new InputError(`${file} is not ${what}:\n  ${describeIssues(parsed.error).slice(0, 10).join('\n  ')}`)
  return parsed.data
}

/** A snapshot file an admin saved (`virtpilot demo --json > snap.json`, or from a real run). */
export function readSnapshotFile(file: string): Snapshot {
  return readJsonFile(file, SnapshotSchema, 'a VirtPilot snapshot')
}

export async function loadSolver(): Promise<MipSolver> {
  // The highs typings describe its own API; the engine needs only `solve`.
  return (await highsLoader()) as unknown as MipSolver
}

/** Runs the engine on a snapshot and the history the store holds for its VMs. */
export async function recommendFor(input: { snapshot: Snapshot; history: History; now: number; strategy: AllocationStrategy; solver?: MipSolver; facts?: ClusterFacts }): Promise<RecommendOutput> {
  return recommend({
    snapshot: input.snapshot,
    history: input.history,
    now: input.now,
    seed: input.now,
    options: { strategy: input.strategy },
    ...(input.solver ? { solver: input.solver } : {}),
    ...(input.facts ? { facts: input.facts } : {}),
  })
}

/** Tuning facts of whatever the snapshot shows: the demo's (made up, documented) and discovered hosts'. */
export function factsFor(snapshot: Snapshot, discovered: readonly ClusterFacts[] = []): ClusterFacts {
  return mergeFacts([...(snapshot.hosts.some((h) => h.source === 'demo') ? [demoFacts()] : []), ...discovered])
}

export function storedHistory(services: Services, snapshot: Snapshot, now: number): History {
  services.housekeeping()
  return services.store.usageHistory(
    snapshot.vms.map((v) => v.id),
    now - HISTORY_WINDOW_MS,
    now,
  )
}
