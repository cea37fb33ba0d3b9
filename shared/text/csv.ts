/**
 * One CSV cell, as RFC 4180 writes it and as a spreadsheet cannot run it: text that starts
 * with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula, so it gets a
 * leading `'` (OWASP's CSV injection advice). Numbers VirtPilot computed are written as they are.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  // A leading # is quoted too: readers that take # lines as comments (VirtPilot's trace import) keep the row.
  return /[",\n\r]|^#/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvRow(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvCell).join(',')
}
