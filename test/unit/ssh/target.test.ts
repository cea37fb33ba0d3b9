import { describe, expect, it } from 'vitest'
import { parseTarget, TargetError } from '../../../src-main/ssh/target'
import { resolveTarget } from '../../../src-main/ssh/resolve'

describe('parseTarget', () => {
  it('reads the forms an admin types', () => {
    expect(parseTarget('root@kvm1.lab:2222')).toMatchObject({ host: 'kvm1.lab', user: 'root', port: 2222 })
    expect(parseTarget('kvm1')).toMatchObject({ host: 'kvm1' })
    expect(parseTarget('admin@[fe80::1]:22')).toMatchObject({ host: 'fe80::1', user: 'admin', port: 22 })
    expect(parseTarget('qemu+ssh://virt@10.0.0.5:2200/system')).toMatchObject({ host: '10.0.0.5', user: 'virt', port: 2200 })
    expect(parseTarget('qemu+ssh://kvm2/system')).toMatchObject({ host: 'kvm2' })
  })

  it('refuses what could smuggle options or shell into ssh', () => {
    for (const bad of ['-oProxyCommand=sh', 'host;rm -rf /', 'a b', "h'o", 'root@', '$(id)@host', 'host:99999', 'host:0', 'fe80::1', 'qemu+ssh://h/session', 'qemu:///system', '']) {
      expect(() => parseTarget(bad), bad).toThrow(TargetError)
    }
  })
})

describe('resolveTarget with ~/.ssh/config', () => {
  const sshConfig = `
Host bastion
  HostName bastion.example.org
  User jump
  Port 2022

Host kvm-*
  User virt
  IdentityFile ~/.ssh/lab_%h
  ProxyJump bastion

Host proxied
  HostName 10.200.0.2
  ProxyCommand ip netns exec hub socat STDIO TCP:%h:%p

Host *
  User fallback
`
  const ctx = { sshConfig, home: '/home/ann', localUser: 'ann' }

  it('applies HostName, User, Port, IdentityFile and ProxyJump like ssh(1)', () => {
    const t = resolveTarget(parseTarget('kvm-1'), ctx)
    expect(t).toMatchObject({ hostName: 'kvm-1', user: 'virt', port: 22, identityFiles: ['/home/ann/.ssh/lab_kvm-1'] })
    expect(t.jumps).toHaveLength(1)
    expect(t.jumps[0]).toMatchObject({ hostName: 'bastion.example.org', user: 'jump', port: 2022 })
  })

  it('lets what the admin typed win over the config', () => {
    expect(resolveTarget(parseTarget('root@kvm-1:2200'), ctx)).toMatchObject({ user: 'root', port: 2200 })
  })

  it('expands ProxyCommand tokens', () => {
    expect(resolveTarget(parseTarget('proxied'), ctx).proxyCommand).toBe('ip netns exec hub socat STDIO TCP:10.200.0.2:22')
  })

  it('falls back to the default identities and the local user', () => {
    const t = resolveTarget(parseTarget('plain.host'), { home: '/home/ann', localUser: 'ann' })
    expect(t.user).toBe('ann')
    expect(t.identityFiles).toEqual(['/home/ann/.ssh/id_ed25519', '/home/ann/.ssh/id_ecdsa', '/home/ann/.ssh/id_rsa'])
  })

  it('stops a ProxyJump loop with a clear error', () => {
    const loop = 'Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n'
    expect(() => resolveTarget(parseTarget('a'), { sshConfig: loop, home: '/h', localUser: 'u' })).toThrow(/ProxyJump/)
  })
})
