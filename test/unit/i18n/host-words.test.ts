import { describe, expect, it } from 'vitest'
import { english, formatMessage, messageText } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { demoStorage } from '../../../src-main/hosts/demo/storage'
import { poolSharing } from '../../../src-main/hosts/libvirt/storage'
import { proxmoxStorage } from '../../../src-main/hosts/proxmox/storage-status'
import { EngineError } from '../../../src-main/services/engine'
import { englishRuns } from '../../support/english-runs'
import { placeholders } from './support'

/** A message says itself in both languages (every key and placeholder there, nested ones too), and zh-CN holds no English run. */
function expectSaid(ref: MessageRef | undefined, englishText: string, names: string[] = []): string {
  expect(ref, englishText).toBeDefined()
  const missing: string[] = []
  const walk = (r: MessageRef) => {
    for (const language of ['en', 'zh-CN'] as const) {
      const text = messageText(r.key, language)
      if (text === undefined) missing.push(`${r.key}: no ${language} text`)
      else for (const p of placeholders(text)) if (r.params[p] === undefined) missing.push(`${r.key}: {${p}} has no value`)
    }
    for (const v of Object.values(r.params)) for (const nested of Array.isArray(v) ? v : typeof v === 'object' ? [v] : []) walk(nested)
  }
  walk(ref!)
  expect(missing).toEqual([])
  expect(english(ref!)).toBe(englishText)
  const chinese = formatMessage(ref!, 'zh-CN')
  // Judged as the zh-CN e2e walk judges a page.
  expect(englishRuns(chinese, { names }), chinese).toEqual([])
  return chinese
}

describe('why a storage pool counts as shared or local, in the admin’s language (Host detail › Storage)', () => {
  it('libvirt: every shared pool type, a folder on a network or a local filesystem, a pool of this host only', () => {
    const cases: [string, { type: string } | undefined][] = [
      ...['netfs', 'iscsi', 'iscsi-direct', 'rbd', 'gluster', 'sheepdog', 'vstorage', 'mpath'].map((type) => [type, undefined] as [string, undefined]),
      ['dir', { type: 'nfs4' }],
      ['dir', { type: 'ext4' }],
      ['logical', undefined],
      ['zfs', undefined],
    ]
    const said = cases.map(([type, fs]) => {
      const { reason, reasonRef } = poolSharing(type, fs)
      return expectSaid(reasonRef, reason)
    })
    expect(said[0]).toBe('存储池类型 netfs（网络文件系统）')
    expect(said[8]).toBe('其目录位于 nfs4 文件系统上')
    expect(said[9]).toBe('存储池类型 dir，位于本地 ext4 文件系统上')
    // An unknown type is a pool of this host, never a key nobody wrote ('constructor' included).
    expect(poolSharing('constructor', undefined)).toMatchObject({ sharing: 'local', reason: 'pool type constructor (storage of this host)' })
  })

  it('the demo cluster: each pool of each host', () => {
    const pools = demoStorage(Date.UTC(2026, 0, 15)).flatMap((s) => s.pools)
    expect(pools.length).toBeGreaterThan(0)
    for (const pool of pools) expectSaid(pool.sharingReasonRef, pool.sharingReason, [pool.name])
  })

  it('Proxmox VE: a storage it marks shared, and one local to the node', () => {
    const storage = proxmoxStorage({
      hostId: 'pve-a',
      t: 0,
      node: [
        { storage: 'local-lvm', type: 'lvmthin', shared: false, active: true, total: 100, used: 10, avail: 90 },
        { storage: 'nfs-vms', type: 'nfs', shared: true, active: true, total: 100, used: 10, avail: 90 },
      ],
      contents: new Map(),
      cfg: new Map(),
      mounts: [],
      guests: [],
    })
    const [local, shared] = storage.pools
    expect(expectSaid(local!.sharingReasonRef, 'Proxmox marks storage local-lvm (lvmthin) local to this node', ['local-lvm'])).toBe('Proxmox VE 将存储 local-lvm（lvmthin）标记为本节点的本地存储')
    expectSaid(shared!.sharingReasonRef, 'Proxmox marks storage nfs-vms (nfs) shared', ['nfs-vms'])
  })
})

describe('the engine’s own failure, in the admin’s language (Recommendations page)', () => {
  it('a proposal the plan validator refuses: the first five reasons, and how many more', () => {
    const violation = (host: string) => ({ code: 'unknown-host' as const, message: `no host ${host}`, messageRef: { key: 'engine.violation.noHost', params: { host } } })
    const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']
    const error = new EngineError(hosts.map(violation))
    expect(error.message).toBe(
      "The engine's proposal failed the plan validator, so nothing was recommended (please report this): unknown-host: no host h1; unknown-host: no host h2; unknown-host: no host h3; unknown-host: no host h4; unknown-host: no host h5; and 2 more",
    )
    const chinese = expectSaid(error.messageRef, error.message, hosts)
    expect(chinese).toContain('另有 2 项')
  })
})
