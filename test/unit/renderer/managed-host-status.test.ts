import { describe, expect, it } from 'vitest'
import type { ManagedHost } from '../../../shared/model'
import { addHostRequest, hostKeyFile, hostStatus, lastContact, nextHostKeyPrompt, promptKey } from '../../../src-renderer/stores/managed-host-status'

function managed(id: string, overrides: Partial<ManagedHost> = {}): ManagedHost {
  return { id, target: `admin@${id}.lab`, displayName: id, tags: [], addedAt: 1000, lastSeenAt: null, state: 'connecting', ...overrides }
}

const prompt = (hostId: string, promptId: string, fingerprint = 'SHA256:abc') => ({ promptId, hostId, host: `${hostId}.lab`, port: 22, keyType: 'ssh-ed25519', fingerprint })

describe('hostStatus', () => {
  it('maps every connection state to a tone', () => {
    expect(hostStatus(managed('a', { state: 'online' }))).toEqual({ key: 'online', tone: 'success', error: undefined })
    expect(hostStatus(managed('a', { state: 'connecting' })).tone).toBe('info')
    expect(hostStatus(managed('a', { state: 'backing-off', error: 'kvm1.lab:22: ECONNREFUSED' }))).toEqual({ key: 'backing-off', tone: 'warning', error: 'kvm1.lab:22: ECONNREFUSED' })
    for (const state of ['auth-failed', 'host-key-rejected', 'unreachable'] as const) expect(hostStatus(managed('a', { state })).tone).toBe('error')
    expect(hostStatus(managed('a', { state: 'closed' })).tone).toBe('default')
  })

  it('shows a pending host key as a question for the admin, not as a rejection', () => {
    const host = managed('a', { state: 'host-key-rejected', error: 'host key SHA256:abc is not trusted yet', pendingHostKey: prompt('a', 'p1') })
    expect(hostStatus(host)).toEqual({ key: 'verify-key', tone: 'warning', error: undefined })
  })

  it('tells a connected host whose collection fails from a healthy one', () => {
    const host = managed('a', { state: 'online', error: 'admin@a: discovery failed: virsh: failed to connect to the hypervisor' })
    expect(hostStatus(host)).toEqual({ key: 'collection-failed', tone: 'warning', error: host.error })
  })

  it('keeps a refused key as rejected, with the server’s error', () => {
    const host = managed('a', { state: 'host-key-rejected', error: 'host key SHA256:abc is not trusted yet' })
    expect(hostStatus(host)).toEqual({ key: 'host-key-rejected', tone: 'error', error: 'host key SHA256:abc is not trusted yet' })
  })
})

describe('lastContact', () => {
  it('is the later of the last connection and the last poll', () => {
    expect(lastContact(managed('a', { lastSeenAt: 5000, lastPollAt: 9000 }))).toBe(9000)
    expect(lastContact(managed('a', { lastSeenAt: 5000 }))).toBe(5000)
    expect(lastContact(managed('a', { lastSeenAt: 7000, lastPollAt: 6000 }))).toBe(7000)
  })

  it('is null for a host never reached', () => {
    expect(lastContact(managed('a'))).toBeNull()
  })
})

describe('nextHostKeyPrompt', () => {
  const hosts = [managed('a'), managed('b', { pendingHostKey: prompt('b', 'p-b') }), managed('c', { pendingHostKey: prompt('c', 'p-c', 'SHA256:ccc') })]

  it('asks about the first host with a pending key', () => {
    expect(nextHostKeyPrompt(hosts, new Set())?.promptId).toBe('p-b')
    expect(nextHostKeyPrompt([managed('a')], new Set())).toBeUndefined()
  })

  it('skips a question put aside, then the next one comes', () => {
    expect(nextHostKeyPrompt(hosts, new Set(['p-b']))?.promptId).toBe('p-c')
    expect(nextHostKeyPrompt(hosts, new Set(['p-b', 'p-c']))).toBeUndefined()
  })

  it('does not ask again about a key the admin refused, even under a new question', () => {
    const refused = new Set([promptKey(prompt('b', 'old', 'SHA256:abc'))])
    expect(nextHostKeyPrompt(hosts, refused)?.promptId).toBe('p-c')
    // The same host presenting another key is a new question.
    const rekeyed = [managed('b', { pendingHostKey: prompt('b', 'p-new', 'SHA256:new') })]
    expect(nextHostKeyPrompt(rekeyed, refused)?.promptId).toBe('p-new')
  })
})

describe('addHostRequest', () => {
  it('trims and leaves empty optional fields out', () => {
    expect(addHostRequest({ target: '  admin@kvm1.lab:22 ', displayName: '  ', tags: [] })).toEqual({ target: 'admin@kvm1.lab:22' })
  })

  it('keeps a display name and tags, deduplicated, without blanks', () => {
    expect(addHostRequest({ target: 'kvm1', displayName: ' Rack 2 node ', tags: ['lab', ' lab ', '', 'rack-2'] })).toEqual({
      target: 'kvm1',
      displayName: 'Rack 2 node',
      tags: ['lab', 'rack-2'],
    })
  })

  it('passes every target form through untouched for the server to judge', () => {
    for (const target of ['admin@kvm1.lab:22', 'kvm1', 'qemu+ssh://admin@kvm1.lab/system', 'bad host;rm']) expect(addHostRequest({ target, displayName: '', tags: [] }).target).toBe(target)
  })
})

describe('hostKeyFile', () => {
  it('names the OpenSSH host key file of the key type', () => {
    expect(hostKeyFile('ssh-ed25519')).toBe('/etc/ssh/ssh_host_ed25519_key.pub')
    expect(hostKeyFile('ecdsa-sha2-nistp256')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub')
    expect(hostKeyFile('ssh-rsa')).toBe('/etc/ssh/ssh_host_rsa_key.pub')
  })
})
