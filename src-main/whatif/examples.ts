import { PolicySetSchema, SCENARIO_VERSION, ScenarioSchema, type PolicySet, type Scenario } from '../../shared/model/scenario'
import { msg } from '../../shared/i18n'
import { seedArticleText } from '../../shared/text/seed-article'
import { named } from './build'

/**
 * Bundled what-if examples. `seed-article` is the worked example of the article VirtPilot grew
 * from: one host of 4 cores / 4 GiB / 40 GiB with VM A (1 core, 1 GiB, 10 GiB) and VM B (2 cores,
 * 2 GiB, 20 GiB), a day in which the two trade load, a queue of jobs and a disk-hungry request,
 * compared under static, dynamic and hybrid allocation and FCFS, SJF and priority scheduling.
 */
export const EXAMPLES = ['seed-article'] as const
export type ExampleId = (typeof EXAMPLES)[number]

const STEP_SECONDS = 300
const STEPS = 24 * 12
const GIB = 1024

/** A's and B's demand at minute m of the day: A busy 8:00-18:00, B 17:00-02:00 (both 17:00-18:00). */
function demandAt(minute: number): { a: [number, number]; b: [number, number] } {
  const hour = Math.floor(minute / 60) % 24
  const aBusy = hour >= 8 && hour < 18
  const bBusy = hour >= 17 || hour < 2
  return { a: aBusy ? [2, 900] : [0.2, 400], b: bBusy ? [3, 1900] : [0.3, 800] }
}

export function seedArticleScenario(name?: string): Scenario {
  const minutes = Array.from({ length: STEPS }, (_, s) => (s * STEP_SECONDS) / 60)
  const job = (id: string, atMinute: number, durationMinutes: number, priority: number, memoryMiB: number, diskGiB: number) => ({
    id, atMinute, vcpus: 1, memoryMiB, cpuCores: 0.5, durationMinutes, priority, diskGiB,
  })
  return ScenarioSchema.parse({
    version: SCENARIO_VERSION,
    ...named(name, msg('input.name.seedArticle')),
    description: seedArticleText.en.setup,
    source: { kind: 'example', detail: 'seed-article' },
    start: Date.UTC(2024, 0, 1),
    stepSeconds: STEP_SECONDS,
    steps: STEPS,
    hosts: [{ id: 'host', name: 'Host (4 cores, 4 GiB, 40 GiB)', cpuCores: 4, memoryMiB: 4 * GIB, diskGiB: 40 }],
    vms: [
      // The article's cores are reservations; one vCPU more lets each borrow the other's idle core.
      { id: 'vm-a', name: 'VM A', hostId: 'host', vcpus: 2, memoryMiB: 1 * GIB, cpuReservationCores: 1, cpuShares: 1024, diskGiB: 10, diskUsedGiB: 6 },
      { id: 'vm-b', name: 'VM B', hostId: 'host', vcpus: 3, memoryMiB: 2 * GIB, cpuReservationCores: 2, cpuShares: 1024, diskGiB: 20, diskUsedGiB: 12 },
    ],
    workload: [
      { vm: 'vm-a', cpuCores: minutes.map((m) => demandAt(m).a[0]), memMiB: minutes.map((m) => demandAt(m).a[1]) },
      { vm: 'vm-b', cpuCores: minutes.map((m) => demandAt(m).b[0]), memMiB: minutes.map((m) => demandAt(m).b[1]) },
    ],
    // At 9:00 the last free GiB of memory takes one of these at a time; at 12:00 an archive wants 15 GiB of disk.
    arrivals: [
      job('backup', 540, 120, 1, 768, 8),
      job('report', 540, 15, 1, 768, 1),
      job('urgent-build', 540, 45, 5, 768, 2),
      job('scan', 545, 10, 0, 768, 1),
      job('archive', 720, 60, 0, 256, 15),
    ],
  })
}

/** The policy sets the example compares: the three allocation strategies (FCFS), then the three queue policies (hybrid). */
export function seedArticlePolicies(): PolicySet[] {
  return [
    { name: 'static, FCFS', allocation: 'static', scheduling: 'fcfs' },
    { name: 'dynamic, FCFS', allocation: 'dynamic', scheduling: 'fcfs' },
    { name: 'hybrid, FCFS', allocation: 'hybrid', scheduling: 'fcfs' },
    { name: 'hybrid, SJF', allocation: 'hybrid', scheduling: 'sjf' },
    { name: 'hybrid, priority', allocation: 'hybrid', scheduling: 'priority' },
  ].map((p) => PolicySetSchema.parse(p))
}

export function exampleScenario(id: ExampleId, name?: string): { scenario: Scenario; policies: PolicySet[]; explanation: typeof seedArticleText } {
  switch (id) {
    case 'seed-article':
      return { scenario: seedArticleScenario(name), policies: seedArticlePolicies(), explanation: seedArticleText }
  }
}
