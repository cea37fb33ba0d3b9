import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch, type ApiError, type RecommendationList } from '../../../shared/api'
import { english, formatMessage } from '../../../shared/i18n'
import type { AuditEntry, Plan } from '../../../shared/model'
import { createServices } from '../../../src-main/services/services'
import { openStore } from '../../../src-main/store'
import { englishRuns } from '../../support/english-runs'

/**
 * What the inbox and the plans refuse, in the admin's language: each refusal crosses the api with
 * its message (key and values) beside the English, says the same in English word for word, and
 * reads in Chinese without a phrase of English (names of VMs, hosts, plans and steps apart).
 */

const ctx = { transport: 'test' as const }

async function refused(services: ReturnType<typeof createServices>, channel: string, req: unknown): Promise<ApiError> {
  const result = (await dispatch(services.handlers, channel, req, ctx)) as { ok: true } | { ok: false; error: ApiError }
  if (result.ok) throw new Error(`${channel} was accepted`)
  return result.error
}

function inBothLanguages(error: ApiError, names: string[]): string {
  expect(error.messageRef, error.message).toBeDefined()
  expect(english(error.messageRef!)).toBe(error.message)
  const chinese = formatMessage(error.messageRef!, 'zh-CN')
  expect(englishRuns(chinese, { names }), chinese).toEqual([])
  return chinese
}

describe('refusals in the admin’s language', () => {
  it('the inbox: an unknown recommendation, moves of something that is not a set of moves, a decided item, one not approved', async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
    await services.start()
    try {
      const list = (await dispatch(services.handlers, 'recommendations.refresh', { strategy: 'hybrid' }, ctx)) as { ok: true; value: RecommendationList }
      const snapshot = (await dispatch(services.handlers, 'cluster.snapshot', {}, ctx)) as { ok: true; value: { hosts: { id: string }[]; vms: { id: string; name: string }[] } }
      const names = [...snapshot.value.hosts.map((h) => h.id), ...snapshot.value.vms.flatMap((v) => [v.id, v.name]), 'nope']
      const memory = list.value.items.find((i) => i.recommendation.kind === 'rightsize-memory')!.recommendation
      const move = list.value.items.find((i) => i.recommendation.kind === 'migrate')!.recommendation

      expect(inBothLanguages(await refused(services, 'recommendations.decide', { id: 'nope', decision: 'approve' }), names)).toBe('没有优化建议 nope')
      expect(inBothLanguages(await refused(services, 'recommendations.decide', { id: memory.id, decision: 'approve', moves: [0] }), names)).toMatch(/不是一组迁移；请整体批准$/)
      const count = move.rebalance!.moves.length
      expect(inBothLanguages(await refused(services, 'recommendations.decide', { id: move.id, decision: 'approve', moves: [count] }), names)).toMatch(new RegExp(`共有 ${count} 次迁移；没有第 ${count + 1} 次迁移$`))
      expect(inBothLanguages(await refused(services, 'plans.create', { recommendationIds: [memory.id] }), names)).toMatch(/的状态为“待处理”$/)

      await dispatch(services.handlers, 'recommendations.decide', { id: memory.id, decision: 'approve' }, ctx)
      const plan = (await dispatch(services.handlers, 'plans.create', { recommendationIds: [memory.id] }, ctx)) as { ok: true; value: Plan }
      names.push(plan.value.id)
      const planned = await refused(services, 'recommendations.decide', { id: memory.id, decision: 'reject', reason: 'no' })
      expect(planned.message).toMatch(/is planned; it can no longer be changed$/)
      expect(inBothLanguages(planned, names)).toMatch(/的状态为“已列入计划”；已不能再更改$/)

      expect(inBothLanguages(await refused(services, 'plans.cancel', { id: plan.value.id }), names)).toBe(`计划 ${plan.value.id} 没有在执行`)
      expect(inBothLanguages(await refused(services, 'plans.get', { id: 'nope' }), names)).toBe('没有计划 nope')
      expect(inBothLanguages(await refused(services, 'plans.resume', { id: plan.value.id }), names)).toBe(`计划 ${plan.value.id} 的状态为“就绪”；只有已中断的计划才能继续执行或回滚`)

      // A refused resume is part of the record, and reads in Chinese too.
      const audit = (await dispatch(services.handlers, 'audit.list', {}, ctx)) as { ok: true; value: AuditEntry[] }
      const last = audit.value[0]!
      expect(last.message).toMatch(/^resume refused: Plan .* is ready/)
      expect(englishRuns(formatMessage(last.messageRef!, 'zh-CN'), { names })).toEqual([])
    } finally {
      await services.stop()
    }
  })

  it('rules, maintenance, host targets and the metrics store: refused in Chinese, field by field', async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
    await services.start()
    try {
      const snapshot = (await dispatch(services.handlers, 'cluster.snapshot', {}, ctx)) as { ok: true; value: { hosts: { id: string }[]; vms: { id: string; name: string }[] } }
      const [a, b] = snapshot.value.vms
      const names = [...snapshot.value.hosts.map((h) => h.id), ...snapshot.value.vms.flatMap((v) => [v.id, v.name]), 'nowhere']
      await dispatch(services.handlers, 'rules.add', { kind: 'anti-affinity', vms: [a!.id, b!.id] }, ctx)
      expect(inBothLanguages(await refused(services, 'rules.add', { kind: 'affinity', vms: [b!.id, a!.id] }), names)).toMatch(/既要放在一起（亲和）又要分开（反亲和）。$/)
      // Pinned to a host it must not run on, unnamed: "the new rule" is said in Chinese too.
      await dispatch(services.handlers, 'rules.add', { kind: 'host-must-not', vms: [a!.id], hosts: [snapshot.value.hosts[0]!.id] }, ctx)
      const pinned = await refused(services, 'rules.add', { kind: 'pin', vms: [a!.id], hosts: [snapshot.value.hosts[0]!.id] })
      expect(inBothLanguages(pinned, [...names, 'r2'])).toMatch(/没有共同的宿主机。$/)
      expect(inBothLanguages(await refused(services, 'maintenance.enter', { hostId: 'nowhere' }), names)).toBe('集群中没有宿主机 nowhere。')

      // A rule of the wrong shape: each field's problem in VirtPilot's words.
      const shape = await refused(services, 'rules.add', { kind: 'pin', vms: [a!.id, b!.id], hosts: [] })
      expect(shape.code).toBe('bad-request')
      const fields = shape.detailRefs!.map((ref) => formatMessage(ref!, 'zh-CN'))
      expect(fields).toEqual(['vms：固定规则只指定一台虚拟机', 'hosts：固定规则只指定一台宿主机'])
      expect(shape.detailRefs!.map((ref) => english(ref!))).toEqual(['vms: pin names one VM', 'hosts: pin names one host'])

      // Host targets and the metrics store's settings: what the admin typed is named, the rest is Chinese.
      const target = await refused(services, 'hosts.add', { target: 'root@kvm1:99999' })
      expect(target.message).toBe('"root@kvm1:99999": port must be 1-65535')
      expect(inBothLanguages(target, ['"root@kvm1:99999"'])).toBe('"root@kvm1:99999"：端口必须在 1 到 65535 之间')
      expect(inBothLanguages(await refused(services, 'hosts.add', { target: 'qemu+ssh://kvm1/session' }), ['"qemu+ssh://kvm1/session"'])).toMatch(/VirtPilot 管理的是 system 实例/)
      const store = await refused(services, 'settings.update', { metricsSource: { kind: 'prometheus', url: 'prometheus+http://admin:pw@prom:9090' } })
      expect(store.message).toMatch(/put credentials in a file/)
      expect(inBothLanguages(store, ['prometheus+http://admin:pw@prom:9090'])).toMatch(/请把凭据放在文件中/)
      const token = await refused(services, 'settings.update', { metricsSource: { kind: 'prometheus', url: 'prometheus+http://prom:9090', bearerTokenFile: '/nonexistent/token' } })
      // The system's own reason (ENOENT ...) stays as it said it, after a Chinese label.
      expect(formatMessage(token.messageRef!, 'zh-CN')).toMatch(/^无法读取 Bearer 令牌文件 \/nonexistent\/token：ENOENT/)
    } finally {
      await services.stop()
    }
  })

  it('a plan whose steps ran although it says ready was changed: refused, naming the step and its state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-refusals-'))
    try {
      const file = join(dir, 'v.db')
      const store = openStore(file)
      const step = { id: 'step-1', recommendationId: 'r', title: 'Move', action: { kind: 'migrate' as const, vm: 'v', from: 'a', to: 'b', live: true }, rollback: { kind: 'migrate' as const, vm: 'v', from: 'b', to: 'a', live: true }, host: 'a', commands: [], verify: [], rollbackCommands: [], estimatedSeconds: 3, dependsOn: [] }
      store.plans.savePlan({ id: 'p', createdAt: 1, approvedBy: 'ann', recommendationIds: ['r'], parallelism: 1, allowUnsafeMigration: false, state: 'ready', steps: [{ ...step, state: 'done' }] })
      store.close()
      const services = createServices({ transport: 'cli', dataFile: file, version: 't', log: () => {} })
      try {
        const error = await refused(services, 'plans.apply', { id: 'p' })
        expect(error.message).toBe('Plan p: step-1 is done, yet the plan is ready; the plan was changed. Make a new plan.')
        expect(inBothLanguages(error, ['p', 'step-1'])).toBe('计划 p：步骤 step-1 的状态为“已完成”，而计划却是就绪状态；计划被改动过。请重新生成计划。')
      } finally {
        await services.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a request by hand: the plan validator’s reasons, a VM already there, a part of a set that cannot run alone', async () => {
    const services = createServices({ transport: 'cli', dataFile: ':memory:', version: 't', log: () => {} })
    await services.start()
    try {
      const vms = services.cluster.snapshot().vms
      const vmId = (name: string) => vms.find((v) => v.name === name)!.id
      const names = ['demo-a', 'demo-b', 'demo-c', ...vms.flatMap((v) => [v.id, v.name])]
      const full = await refused(services, 'recommendations.request', { kind: 'resize', vmId: vmId('bb186-a'), memoryMiB: 40960 })
      expect(full.message).toBe('Refused: demo-c would carry 106332 MiB, limit 98304 MiB (1:1); demo-c ends with 106332 MiB allocated, limit 98304 MiB (1:1)')
      expect(inBothLanguages(full, names)).toBe('已拒绝：demo-c 将承载 106332 MiB，上限 98304 MiB（1:1）；demo-c 最终分配 106332 MiB，上限 98304 MiB（1:1）')
      const same = await refused(services, 'recommendations.request', { kind: 'migrate', vmId: vmId('bb010-a'), to: 'demo-a' })
      expect(inBothLanguages(same, names)).toBe('已拒绝：bb010-a 已经运行在 demo-a 上')
      // The refusal is part of the record, and reads in Chinese too.
      const audit = (await dispatch(services.handlers, 'audit.list', {}, ctx)) as { ok: true; value: AuditEntry[] }
      expect(formatMessage(audit.value[0]!.messageRef!, 'zh-CN')).toMatch(/^请求被拒绝：.*bb010-a 已经运行在 demo-a 上$/)
    } finally {
      await services.stop()
    }
  })
})
