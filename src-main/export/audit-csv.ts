import { formatMessage, msg } from '../../shared/i18n'
import type { AuditEntry, Language } from '../../shared/model'
import { csvRow } from '../../shared/text/csv'

const COLUMNS = ['id', 'time', 'actor', 'kind', 'plan', 'step', 'recommendation', 'host', 'command', 'exitCode', 'message', 'output'] as const

/**
 * The audit log as CSV in `language`: column names, kinds and messages (an entry that kept its
 * message says it in that language; an older one keeps its English). Times stay ISO 8601 (UTC) and
 * host output stays as the host printed it. Names and output are data, never spreadsheet formulas (see csvCell).
 */
export function auditToCsv(entries: readonly AuditEntry[], language: Language = 'en'): string {
  const header = COLUMNS.map((c) => formatMessage(msg(`apply.csv.${c}`), language))
  const rows = entries.map((e) =>
    csvRow([
      e.id,
      new Date(e.t).toISOString(),
      e.actor,
      formatMessage(msg(`apply.csv.kinds.${e.kind}`), language),
      e.planId,
      e.stepId,
      e.recommendationId,
      e.host,
      e.argv?.join(' '),
      e.exitCode,
      e.messageRef ? formatMessage(e.messageRef, language, e.message) : e.message,
      e.output,
    ]),
  )
  return `${[csvRow(header), ...rows].join('\r\n')}\r\n`
}
