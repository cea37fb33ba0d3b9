import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch, type MaintenanceEntry, type RecommendationList } from '../../../shared/api'
import { formatMessage } from '../../../shared/i18n'
import type { AuditEntry, Plan, PlanDryRun } from '../../../shared/model'
import { auditToCsv } from '../../../src-main/export/audit-csv'
import { createServices } from '../../../src-main/services/services'
import { englishRuns } from '../../support/english-runs'

const ctx = { transport: 'test' as const }

async function call<T>(services: ReturnType<typeof createServices>, channel: string, req: unknown): Promise<T> {
  const result = (await dispatch(services.handlers, channel, req, ctx)) as { ok: true; value: T } | { ok: false; error: { message: string } }
  if (!result.ok) throw new Error(result.error.message)
  return result.value
}

describe('the audit log in the reader’s language', () => {
  it('entries written in English keep their message: they read in Chinese later, in the list and in a Chinese CSV, after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-audit-lang-'))
    const dataFile = join(dir, 'virtpilot.db')
    const names: string[] = []
    try {
      const first = createServices({ transport: 'cli', dataFile, version: 't', log: () => {} })
      await first.start()
      try {
        const list = await call<RecommendationList>(first, 'recommendations.refresh', { strategy: 'hybrid' })
        // A rebalance: its title is a message already (the engine's words are its own concern).
        const rebalance = list.items.find((i) => i.recommendation.kind === 'migrate')!.recommendation
        const snapshot = await call<{ hosts: { id: string }[]; vms: { id: string; name: string }[] }>(first, 'cluster.snapshot', {})
        names.push(...snapshot.hosts.map((h) => h.id), ...snapshot.vms.flatMap((v) => [v.id, v.name]))
        await call(first, 'recommendations.decide', { id: rebalance.id, decision: 'approve' })
        const plan = await call<Plan>(first, 'plans.create', { recommendationIds: [rebalance.id] })
        names.push(plan.id)
        const dry = await call<PlanDryRun>(first, 'plans.dryRun', { id: plan.id })
        // The dry run's refusal and step titles travel as messages too.
        expect(dry.refusalRef?.key).toBe('apply.refusal.demo')
        expect(formatMessage(dry.refusalRef!, 'zh-CN')).toContain('演示集群')
        expect(dry.steps[0]!.titleRef).toBeDefined()
        for (const command of dry.steps[0]!.commands) expect(command.purposeRef?.key).toMatch(/^apply\.purpose\./)
        await expect(call(first, 'plans.apply', { id: plan.id })).rejects.toThrow(/demo cluster/)
      } finally {
        await first.stop()
      }

      // Another run of VirtPilot on the same data file: the entries are read back from SQLite.
      const second = createServices({ transport: 'cli', dataFile, version: 't', log: () => {} })
      await second.start()
      try {
        const audit = await call<AuditEntry[]>(second, 'audit.list', {})
        expect(audit.map((e) => e.kind)).toEqual(['plan', 'plan', 'plan', 'decision'])
        // Stored in English, as before...
        expect(audit[0]!.message).toMatch(/^apply refused: .*demo cluster/)
        expect(audit[3]!.message).toMatch(/^approve: /)
        for (const entry of audit) {
          expect(entry.messageRef, entry.message).toBeDefined()
          // ...and said again in English from the message, word for word,
          expect(formatMessage(entry.messageRef!, 'en')).toBe(entry.message)
          // and in Chinese without a phrase of English left (names and units apart).
          const chinese = formatMessage(entry.messageRef!, 'zh-CN')
          expect(englishRuns(chinese, { names }), chinese).toEqual([])
        }
        expect(formatMessage(audit[0]!.messageRef!, 'zh-CN')).toMatch(/^拒绝执行：.*演示集群/)

        const csv = await call<{ text: string }>(second, 'audit.export', { format: 'csv', language: 'zh-CN' })
        const [header, ...rows] = csv.text.trim().split('\r\n')
        expect(header).toBe('编号,时间（UTC）,操作者,类型,计划,步骤,建议,宿主机,命令,退出码,说明,输出')
        expect(rows).toHaveLength(4)
        // Oldest first, as a log reads.
        expect(rows[0]).toContain('批准：')
        expect(rows.at(-1)).toContain('拒绝执行')
        expect(englishRuns(rows.join('\n'), { names }), 'the Chinese CSV').toEqual([])
        // English stays the default, with the columns scripts already read.
        const english = await call<{ text: string }>(second, 'audit.export', { format: 'csv' })
        expect(english.text.split('\r\n')[0]).toBe('id,time,actor,kind,plan,step,recommendation,host,command,exit_code,message,output')
        expect(english.text).toContain('apply refused: ')
        // JSON keeps the machine fields: key and values beside the English text.
        const json = JSON.parse((await call<{ text: string }>(second, 'audit.export', { format: 'json', language: 'zh-CN' })).text) as AuditEntry[]
        expect(json[0]!.message).toMatch(/^approve: /)
        expect(json[0]!.messageRef?.key).toBe('apply.audit.decided')
      } finally {
        await second.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('rule and maintenance entries written in English read in Chinese after a restart; what entering maintenance says too', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'virtpilot-audit-rules-'))
    const dataFile = join(dir, 'virtpilot.db')
    const names = ['keep apart']
    try {
      const first = createServices({ transport: 'cli', dataFile, version: 't', log: () => {} })
      await first.start()
      let host = ''
      try {
        const snapshot = await call<{ hosts: { id: string }[]; vms: { id: string; name: string; hostId: string; state: string }[] }>(first, 'cluster.snapshot', {})
        names.push(...snapshot.hosts.map((h) => h.id), ...snapshot.vms.flatMap((v) => [v.id, v.name]))
        host = snapshot.hosts.find((h) => snapshot.vms.filter((v) => v.hostId === h.id && v.state === 'running').length >= 2)!.id
        const [a, b] = snapshot.vms.filter((v) => v.hostId === host && v.state === 'running')
        const rule = await call<{ id: string }>(first, 'rules.add', { kind: 'anti-affinity', vms: [a!.id, b!.id], name: 'keep apart' })
        await call(first, 'rules.add', { kind: 'host-must-not', vms: [a!.id], hosts: [host] })
        await call(first, 'rules.remove', { id: rule.id })
        // The demo's disks are cached by the host: no plan without --unsafe; the reason and the VMs that stay in Chinese.
        const entry = await call<MaintenanceEntry>(first, 'maintenance.enter', { hostId: host })
        expect(entry.planProblemRef, entry.planProblem).toBeDefined()
        expect(formatMessage(entry.planProblemRef!, 'en')).toBe(entry.planProblem)
        const problem = formatMessage(entry.planProblemRef!, 'zh-CN')
        // (Why a migration needs --unsafe is the plan checks' own sentence, worded there.)
        expect(problem).toMatch(/^VirtPilot 无法执行以下各项：/)
        for (const vm of entry.staying) {
          expect(formatMessage(vm.reasonRef, 'en')).toBe(vm.reason)
          expect(englishRuns(formatMessage(vm.reasonRef, 'zh-CN'), { names }), formatMessage(vm.reasonRef, 'zh-CN')).toEqual([])
        }
        await call(first, 'maintenance.exit', { hostId: host })
      } finally {
        await first.stop()
      }

      const second = createServices({ transport: 'cli', dataFile, version: 't', log: () => {} })
      await second.start()
      try {
        const audit = await call<AuditEntry[]>(second, 'audit.list', {})
        const ours = audit.filter((e) => e.messageRef?.key.startsWith('ruleChanges.'))
        // Stored in English as before, newest first...
        expect(ours.map((e) => e.message)).toEqual([
          `maintenance exited: ${host} takes placements again`,
          `maintenance entered: ${host} takes no placements until it leaves maintenance`,
          expect.stringMatching(/^rule removed: keep apart \(anti-affinity of .+, .+\)$/),
          expect.stringMatching(new RegExp(`^rule added: r2 \\(host-must-not of .+ on ${host}\\)$`)),
          expect.stringMatching(/^rule added: keep apart \(anti-affinity of .+, .+\)$/),
        ])
        // ...said again word for word from the message, and in Chinese without a phrase of English.
        for (const entry of ours) {
          expect(formatMessage(entry.messageRef!, 'en')).toBe(entry.message)
          const chinese = formatMessage(entry.messageRef!, 'zh-CN')
          expect(englishRuns(chinese, { names }), chinese).toEqual([])
        }
        expect(formatMessage(ours[2]!.messageRef!, 'zh-CN')).toMatch(/^已删除规则：keep apart（.+ 的反亲和性规则）$/)
        expect(formatMessage(ours[1]!.messageRef!, 'zh-CN')).toBe(`进入维护模式：${host} 在退出维护之前不再接收任何放置`)
        // The evacuation approved by entering maintenance says why in the reader's language too.
        const approval = audit.find((e) => e.kind === 'decision' && e.message.startsWith(`approve: Evacuate ${host}`))!
        expect(approval.message).toContain(`maintenance of ${host}`)
        const approvalInChinese = formatMessage(approval.messageRef!, 'zh-CN')
        expect(approvalInChinese).toContain(`维护 ${host}`)
        expect(englishRuns(approvalInChinese, { names }), approvalInChinese).toEqual([])
        const csv = await call<{ text: string }>(second, 'audit.export', { format: 'csv', language: 'zh-CN' })
        expect(csv.text).toContain(`退出维护模式：${host} 重新接收放置`)
      } finally {
        await second.stop()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an entry written before messages were kept is exported with its English text', () => {
    const csv = auditToCsv([{ id: 7, t: 0, actor: 'ann', kind: 'decision', message: 'approve: an old entry' }], 'zh-CN')
    expect(csv.split('\r\n')[1]).toBe('7,1970-01-01T00:00:00.000Z,ann,决定,,,,,,,approve: an old entry,')
  })
})
