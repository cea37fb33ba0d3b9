// What integration tests use to reach the lab started by global-setup.ts.
import { readFile } from 'node:fs/promises'
import { describe, inject, it } from 'vitest'
import type { LabDescription, LabGuest, LabHost } from '../lab/description'
import { guestOf, removeGuest, startGuest, virsh, waitForBoot, type GuestSpec } from '../lab/guest'
import { waitFor } from '../lab/run'

export type LabState = { status: 'up'; lab: LabDescription } | { status: 'unavailable'; reason: string }

declare module 'vitest' {
  export interface ProvidedContext {
    virtpilotLab: LabState
  }
}

export type { LabDescription, LabGuest, LabHost }

export function labState(): LabState {
  return inject('virtpilotLab')
}

/** The running lab's description; throws when the lab is unavailable (use describeWithLab). */
export function getLab(): LabDescription {
  const state = labState()
  if (state.status !== 'up') throw new Error(`the lab is not running: ${state.reason}`)
  return state.lab
}

/**
 * `describe` for tests that need the lab. When the lab could not start, the suite is reported as
 * one skipped test that carries the reason (the body is not run, so it may use `lab` freely, e.g.
 * `it.each(lab.hosts)`).
 */
export function describeWithLab(name: string, body: (lab: LabDescription) => void): void {
  const state = labState()
  if (state.status === 'up') describe(name, () => body(state.lab))
  else describe(name, () => it.skip(`needs the lab, which could not start: ${state.reason}`, () => undefined))
}

export function hostNamed(lab: LabDescription, name: string): LabHost {
  const host = lab.hosts.find((candidate) => candidate.name === name)
  if (!host) throw new Error(`the lab has no host ${name} (it has ${lab.hosts.map((h) => h.name).join(', ')})`)
  return host
}

/**
 * Ground truth: runs `virsh -c <host's socket> ...` from the test process (root namespace), not
 * over ssh, so tests compare what VirtPilot reports with what libvirt says.
 */
export async function groundTruth(host: LabHost, args: readonly string[], timeoutMs?: number): Promise<string> {
  return (await virsh(host.libvirt.uri, args, timeoutMs)).stdout
}

/** `virsh domstats --raw` of one guest as a map (`cpu.time` -> `"123"`). */
export async function domstats(host: LabHost, guest: string, groups: readonly string[] = []): Promise<Map<string, string>> {
  const text = await groundTruth(host, ['domstats', '--raw', ...groups, guest])
  const stats = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^\s+([^\s=][^=]*)=(.*)$/.exec(line)
    if (match?.[1] !== undefined && match[2] !== undefined) stats.set(match[1], match[2])
  }
  return stats
}

/** Names of the guests libvirt runs on a host. */
export async function runningGuests(host: LabHost): Promise<string[]> {
  return (await groundTruth(host, ['list', '--name'])).split('\n').filter(Boolean)
}

/**
 * Boots an extra guest on a host (e.g. `{ name: 'h3-burner', burn: 1 }` for known CPU demand) and
 * resolves once its boot marker is on the console. Remove it with removeExtraGuest.
 */
export async function addExtraGuest(lab: LabDescription, host: LabHost, spec: GuestSpec): Promise<LabGuest> {
  const guest = guestOf(lab.base, spec)
  const image = { kernel: lab.guestImage.kernel, initrd: lab.guestImage.initrd }
  await startGuest(host.libvirt.uri, guest, image)
  await waitForBoot(guest, 90_000)
  return guest
}

export async function removeExtraGuest(host: LabHost, guest: LabGuest): Promise<void> {
  await removeGuest(host.libvirt.uri, guest)
}

/** The guest's serial console so far. */
export async function consoleOf(guest: LabGuest): Promise<string> {
  return readFile(guest.consoleLog, 'utf8').catch(() => '')
}

/** Waits until the guest prints `count` more alive markers than it had printed when called (the limit only guards a hang: a TCG guest on a busy machine prints late). */
export async function waitForAliveMarkers(lab: LabDescription, guest: LabGuest, count = 1, timeoutMs = 120_000) {
  const countMarkers = async () => (await consoleOf(guest)).split(lab.guestImage.aliveMarker).length - 1
  const before = await countMarkers()
  await waitFor(
    `${count} new alive marker(s) of ${guest.name}`,
    async () => ((await countMarkers()) >= before + count ? true : undefined),
    timeoutMs,
    200,
  )
}
