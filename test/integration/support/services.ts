import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dispatch } from '../../../shared/api'
import { createServices, type Services, type ServicesOptions } from '../../../src-main/services/services'
import type { LabDescription } from '../lab'
import { openStore, type Store } from '../../../src-main/store'

/** ~/.ssh for the lab hosts, as an admin would write it: aliases h1..hN with ProxyCommand. */
export function labSshDir(lab: LabDescription, dir: string): string {
  const sshDir = join(dir, '.ssh')
  mkdirSync(sshDir, { recursive: true })
  const config = lab.hosts
    .map((h) => [`Host ${h.name}`, `  HostName ${h.ip}`, `  User ${h.ssh.user}`, `  IdentityFile ${h.ssh.privateKeyPath}`, `  ProxyCommand ${h.ssh.proxyCommandLine}`].join('\n'))
    .join('\n')
  writeFileSync(join(sshDir, 'config'), `${config}\n`)
  // The admin's known_hosts already trusts the lab hosts (as after a first `ssh` to each).
  writeFileSync(join(sshDir, 'known_hosts'), readFileSync(lab.ssh.knownHostsPath))
  return sshDir
}

/** Waits for a condition (probed every `everyMs`); the deadline is only a guard against a hang. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** VirtPilot's services on a temp data file with every lab host added and polled every second. */
export async function servicesForLab(lab: LabDescription, dir: string, pollIntervalMs = 1000, extra: Pick<ServicesOptions, 'clock' | 'automation'> = {}): Promise<Services> {
  const services = createServices({
    ...extra,
    transport: 'cli',
    dataFile: join(dir, 'virtpilot.db'),
    version: 'test',
    sshDir: labSshDir(lab, dir),
    hostPollIntervalMs: pollIntervalMs,
    unknownHostKeys: 'refuse',
    demo: 'off',
    log: () => {},
  })
  await services.start()
  for (const host of lab.hosts) await call(services, 'hosts.add', { target: host.name })
  await until('every host online with samples', () => {
    const s = services.cluster.snapshot()
    return lab.hosts.every((h) => s.vmSamples.some((x) => x.hostId === h.name)) ? true : undefined
  })
  return services
}

/** The data file as a second reader/writer sees it (SQLite in WAL mode allows both). */
export function dataFileOf(dir: string): Store {
  return openStore(join(dir, 'virtpilot.db'))
}

export async function call<T>(services: Services, channel: string, req: unknown): Promise<T> {
  const result = await dispatch(services.handlers, channel, req, { transport: 'test' })
  if (!result.ok) throw Object.assign(new Error(`${channel}: ${result.error.message}`), { code: result.error.code })
  return result.value as T
}
