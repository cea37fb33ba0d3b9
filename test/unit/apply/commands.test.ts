import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Action } from '../../../shared/model'
import { checkVerification, CommandError, estimateSeconds, migrationThroughput, renderAction, TUNNEL_SOCKET, verifyCommands, type CommandContext } from '../../../src-main/hosts/libvirt/commands'
import { english, formatMessage } from '../../../shared/i18n'
import { englishRuns } from '../../support/english-runs'
import { fixture } from '../hosts/libvirt/fixture'

const UUID = '1a5796fe-2ac9-4c3d-bff6-4ff5fecbd1a9'
const ctx: CommandContext = {
  uuidOf: (vm) => (vm === 'web' ? UUID : vm === 'evil' ? `${UUID}; rm -rf /` : undefined),
  migrationAddressOf: (h) => ({ h1: '10.200.0.2', h2: '10.200.0.3', bad: 'h2; reboot' })[h],
  allowUnsafeMigration: false,
}

describe('renderAction', () => {
  it('turns each action into the exact virsh argv, VMs addressed by UUID', () => {
    expect(renderAction({ kind: 'setVcpus', vm: 'web', host: 'h1', count: 4, live: true }, ctx)[0]!.argv).toEqual(['virsh', '-c', 'qemu:///system', 'setvcpus', '--domain', UUID, '--count', '4', '--live', '--config'])
    expect(renderAction({ kind: 'setMemory', vm: 'web', host: 'h1', memoryMiB: 2048, live: true }, ctx)[0]!.argv).toEqual(['virsh', '-c', 'qemu:///system', 'setmem', '--domain', UUID, '--size', '2097152', '--live', '--config'])
    expect(renderAction({ kind: 'setCpuShares', vm: 'web', host: 'h1', shares: 512 }, ctx)[0]!.argv).toEqual(['virsh', '-c', 'qemu:///system', 'schedinfo', '--domain', UUID, '--live', '--config', '--set', 'cpu_shares=512'])
    const migrate = renderAction({ kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true }, ctx)[0]!
    expect(migrate.host).toBe('h1')
    expect(migrate.argv).toEqual(['virsh', '-c', 'qemu:///system', 'migrate', '--live', '--persistent', '--undefinesource', '--domain', UUID, '--desturi', `qemu+unix:///system?socket=${TUNNEL_SOCKET}`, '--migrateuri', 'tcp://10.200.0.3'])
    expect(renderAction({ kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true }, { ...ctx, allowUnsafeMigration: true })[0]!.argv).toContain('--unsafe')
  })

  it('refuses, when the plan is made, a migration the engine knew needs --unsafe unless the plan allows it', () => {
    const unsafe: Action = { kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true, unsafe: true }
    expect(() => renderAction(unsafe, ctx)).toThrow(/needs --unsafe.*allow unsafe migration/)
    expect(renderAction(unsafe, { ...ctx, allowUnsafeMigration: true })[0]!.argv).toContain('--unsafe')
  })

  it('refuses anything it cannot vouch for', () => {
    const bad: Action[] = [
      { kind: 'setVcpus', vm: 'unknown', host: 'h1', count: 2, live: true },
      { kind: 'setVcpus', vm: 'evil', host: 'h1', count: 2, live: true },
      { kind: 'setVcpus', vm: 'web', host: 'h1', count: 0, live: true },
      { kind: 'setVcpus', vm: 'web', host: 'h1', count: 2.5, live: true },
      { kind: 'setMemory', vm: 'web', host: 'h1', memoryMiB: 1, live: true },
      { kind: 'setCpuShares', vm: 'web', host: 'h1', shares: 10 ** 9 },
      { kind: 'migrate', vm: 'web', from: 'h1', to: 'bad', live: true },
      { kind: 'migrate', vm: 'web', from: 'h1', to: 'h1', live: true },
      { kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: false },
      { kind: 'setHostTuning', host: 'h1', setting: 'ksm.run', value: '1' },
    ]
    for (const action of bad) expect(() => renderAction(action, ctx), JSON.stringify(action)).toThrow(CommandError)
    // Each refusal is a message: shown inside the plan's refusal in the admin's language, its English word for word.
    const chinese = [...bad, { kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true, unsafe: true, copyDisks: ['vda', 'vda'] } as Action].map((action) => {
      try {
        renderAction(action, ctx)
      } catch (error) {
        if (!(error instanceof CommandError)) throw error
        expect(english(error.ref)).toBe(error.message)
        const text = formatMessage(error.ref, 'zh-CN')
        expect(englishRuns(text, { names: ['h1', 'h2', 'web', 'evil', 'unknown', 'setHostTuning', 'ksm.run'] }), text).toEqual([])
        return text
      }
      throw new Error(`accepted ${JSON.stringify(action)}`)
    })
    expect(chinese).toContain('vCPU 数必须是 1 到 512 之间的整数，实际为 0')
    expect(chinese).toContain('宿主机 "bad" 没有可用的迁移地址')
    expect(chinese).toContain('setHostTuning（ksm.run）是需要手动执行的建议：VirtPilot 不通过 SSH 更改它')
    expect(chinese.at(-1)).toBe('实时迁移 web 需要 --unsafe（其磁盘由宿主机缓存）：请为此计划允许不安全迁移，或先设置 cache=none')
  })

  it('never lets a VM id or host id reach a command line', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (vm, host) => {
        const uuidOf = (id: string) => (id === vm ? UUID : undefined)
        const argv = renderAction({ kind: 'setVcpus', vm, host, count: 2, live: true }, { ...ctx, uuidOf })[0]!.argv
        return argv.every((a) => a === UUID || !a.includes(vm) || vm === '' || ['virsh', '-c', 'qemu:///system', 'setvcpus', '--domain', '--count', '2', '--live', '--config'].includes(a))
      }),
    )
  })
})

describe('checkVerification', () => {
  it('reads back vCPUs, balloon, shares and where a migrated VM runs', () => {
    const vcpus: Action = { kind: 'setVcpus', vm: 'web', host: 'h1', count: 2, live: true }
    expect(checkVerification(vcpus, ['2\n'], ctx).ok).toBe(true)
    expect(checkVerification(vcpus, ['1\n'], ctx)).toEqual({ ok: false, observed: '1 vCPU', observedRef: { key: 'apply.observed.vcpus', params: { count: 1 } } })
    const mem: Action = { kind: 'setMemory', vm: 'web', host: 'h1', memoryMiB: 100, live: true }
    expect(checkVerification(mem, ['actual 102400\nswap_in 0\n'], ctx).ok).toBe(true)
    expect(checkVerification(mem, ['actual 131072\n'], ctx).ok).toBe(false)
    expect(checkVerification({ kind: 'setCpuShares', vm: 'web', host: 'h1', shares: 512 }, ['Scheduler      : posix\ncpu_shares     : 512\n'], ctx).ok).toBe(true)
    const move: Action = { kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true }
    expect(checkVerification(move, ['running\n', 'c8b68138-0305-4139-a362-5afbe57e1b33\n'], ctx).ok).toBe(true)
    expect(checkVerification(move, ['running\n', `${UUID}\n`], ctx)).toMatchObject({ ok: false, observed: expect.stringContaining('still defined on h1') })
    expect(checkVerification(move, [undefined, ''], ctx).ok).toBe(false)
    expect(verifyCommands(move, ctx).map((c) => c.host)).toEqual(['h2', 'h1'])
  })
})

describe('migration with storage', () => {
  it('copies the named local disks live (--copy-storage-all --migrate-disks), and names them in its purpose', () => {
    const migrate = renderAction({ kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true, copyDisks: ['vda', 'vdb'] }, ctx)[0]!
    expect(migrate.argv.slice(4, 10)).toEqual(['--live', '--persistent', '--undefinesource', '--copy-storage-all', '--migrate-disks', 'vda,vdb'])
    expect(migrate.purpose).toBe('live-migrate to h2, copying its local disks vda, vdb')
    // Only disk names reach --migrate-disks: nothing a comma or a shell could read more into.
    expect(() => renderAction({ kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true, copyDisks: ['vda,vdb'] }, ctx)).toThrow(CommandError)
    expect(() => renderAction({ kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true, copyDisks: ['vda', 'vda'] }, ctx)).toThrow(/listed twice/)
  })

  it('reads what a running migration with storage moved so far from domjobinfo (captured in the lab): memory and disk bytes over the time elapsed', () => {
    const moved = migrationThroughput(fixture('virtpilot-lab/domjobinfo-copy-storage-running.txt'))
    expect(moved).toEqual({ bytes: 112.929 * 2 ** 20, seconds: 2.661 })
    expect(migrationThroughput('Job type:         None\n')).toBeUndefined()
  })

  it('a step with a disk copy is expected to take the copy time on top of the memory', () => {
    const action: Action = { kind: 'migrate', vm: 'web', from: 'h1', to: 'h2', live: true, copyDisks: ['vda'] }
    expect(estimateSeconds(action, 1024, 60) - estimateSeconds(action, 1024)).toBe(60)
  })
})
