import type { AuditEntry } from '../../shared/model'
import { csvRow } from '../../shared/text/csv'

/** The audit log as CSV: host output and names are data, never spreadsheet formulas (see csvCell). */
export function auditToCsv(entries: readonly AuditEntry[]): string {
  const header = ['id', 'time', 'actor', 'kind', 'plan', 'step', 'recommendation', 'host', 'command', 'exit_code', 'message', 'output']
  const rows = entries.map((e) => csvRow([e.id, new Date(e.t).toISOString(), e.actor, e.kind, e.planId, e.stepId, e.recommendationId, e.host, e.argv?.join(' '), e.exitCode, e.message, e.output]))
  return `${[csvRow(header), ...rows].join('\r\n')}\r\n`
}
