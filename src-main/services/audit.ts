import type { AuditEntry } from '../../shared/model'
import type { PlansRepo } from '../store/plans'

function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value)
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function auditToCsv(entries: readonly AuditEntry[]): string {
  const header = ['id', 'time', 'actor', 'kind', 'plan', 'step', 'recommendation', 'host', 'command', 'exit_code', 'message', 'output']
  const rows = entries.map((e) => [e.id, new Date(e.t).toISOString(), e.actor, e.kind, e.planId, e.stepId, e.recommendationId, e.host, e.argv?.join(' '), e.exitCode, e.message, e.output].map(csvField).join(','))
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`
}

/** The audit log: what was decided and run, listed and exported (JSON or CSV). */
export function createAudit(options: { plans: PlansRepo; clock: () => number }) {
  return {
    list: (q: { from?: number; to?: number; planId?: string; limit?: number }) => options.plans.listAudit(q),
    export(format: 'json' | 'csv', q: { from?: number; to?: number; planId?: string }): { filename: string; text: string } {
      const entries = options.plans.listAudit({ ...q, limit: 1_000_000 }).reverse()
      const stamp = new Date(options.clock()).toISOString().slice(0, 10)
      return format === 'json' ? { filename: `virtpilot-audit-${stamp}.json`, text: `${JSON.stringify(entries, null, 2)}\n` } : { filename: `virtpilot-audit-${stamp}.csv`, text: auditToCsv(entries) }
    },
  }
}

export type AuditService = ReturnType<typeof createAudit>
