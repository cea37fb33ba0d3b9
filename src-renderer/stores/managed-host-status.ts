import type { AddHostRequest } from '../../shared/api'
import type { ConnectionStateName, HostKeyPrompt, ManagedHost } from '../../shared/model'

/**
 * What the Hosts view shows for a managed host: its connection state, refined where the
 * state alone would mislead (a key waiting for the admin, connected but collection failing).
 */
export type HostStatusKey = ConnectionStateName | 'verify-key' | 'collection-failed'
export type StatusTone = 'success' | 'info' | 'warning' | 'error' | 'default'

export interface HostStatus {
  key: HostStatusKey
  tone: StatusTone
  /** The server's last error, worded by it; absent when the status says it all. */
  error: string | undefined
}

const tones: Record<ConnectionStateName, StatusTone> = {
  online: 'success',
  connecting: 'info',
  'backing-off': 'warning',
  'auth-failed': 'error',
  'host-key-rejected': 'error',
  unreachable: 'error',
  closed: 'default',
}

export function hostStatus(host: ManagedHost): HostStatus {
  // The handshake was refused only because nobody has looked at the key yet.
  if (host.pendingHostKey) return { key: 'verify-key', tone: 'warning', error: undefined }
  if (host.state === 'online' && host.error) return { key: 'collection-failed', tone: 'warning', error: host.error }
  return { key: host.state, tone: tones[host.state], error: host.error }
}

/** The last time VirtPilot heard from the host (connected or polled), or null if never. */
export function lastContact(host: ManagedHost): number | null {
  const times = [host.lastSeenAt ?? 0, host.lastPollAt ?? 0]
  const latest = Math.max(...times)
  return latest > 0 ? latest : null
}

/** A refused key, remembered so the same question does not pop up again by itself. */
export function promptKey(prompt: Pick<HostKeyPrompt, 'hostId' | 'fingerprint'>): string {
  return `${prompt.hostId}\n${prompt.fingerprint}`
}

/**
 * The host key question to show now: the first host (in list order) with a pending key the
 * admin has not put aside. Answering it brings the next one.
 */
export function nextHostKeyPrompt(hosts: readonly ManagedHost[], putAside: ReadonlySet<string>): HostKeyPrompt | undefined {
  for (const host of hosts) {
    const prompt = host.pendingHostKey
    if (prompt && !putAside.has(prompt.promptId) && !putAside.has(promptKey(prompt))) return prompt
  }
  return undefined
}

/** What the admin typed in the Add host form. */
export interface AddHostForm {
  target: string
  displayName: string
  tags: string[]
}

/** The request for hosts.add: trimmed, optional fields left out when empty, tags deduplicated. */
export function addHostRequest(form: AddHostForm): AddHostRequest {
  const target = form.target.trim()
  const displayName = form.displayName.trim()
  const tags = [...new Set(form.tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))]
  return { target, ...(displayName ? { displayName } : {}), ...(tags.length > 0 ? { tags } : {}) }
}

/** Where OpenSSH keeps the host's public key of this type, for the admin to fingerprint it there. */
export function hostKeyFile(keyType: string): string {
  const name = keyType === 'ssh-ed25519' ? 'ed25519' : keyType.startsWith('ecdsa-') ? 'ecdsa' : keyType === 'ssh-rsa' ? 'rsa' : 'ed25519'
  return `/etc/ssh/ssh_host_${name}_key.pub`
}
