import type { Language } from '../../shared/model'
import { auditToCsv } from '../export/audit-csv'
import type { PlansRepo } from '../store/plans'

/** The audit log: what was decided and run, listed and exported (JSON or CSV). */
export function createAudit(options: { plans: PlansRepo; clock: () => number }) {
  return {
    list: (q: { from?: number; to?: number; planId?: string; limit?: number }) => options.plans.listAudit(q),
    /** JSON keeps each message's key and values beside its English; a CSV is written in `language`. */
    export(format: 'json' | 'csv', q: { from?: number; to?: number; planId?: string }, language: Language = 'en'): { filename: string; text: string } {
      const entries = options.plans.listAudit({ ...q, limit: 1_000_000 }).reverse()
      const stamp = new Date(options.clock()).toISOString().slice(0, 10)
      return format === 'json' ? { filename: `virtpilot-audit-${stamp}.json`, text: `${JSON.stringify(entries, null, 2)}\n` } : { filename: `virtpilot-audit-${stamp}.csv`, text: auditToCsv(entries, language) }
    },
  }
}

export type AuditService = ReturnType<typeof createAudit>
