/** Saving a chart: its picture as PNG and its data as CSV, through a download link. */
import { csvRow } from '../../shared/text/csv'

function download(href: string, filename: string): void {
  const link = document.createElement('a')
  link.href = href
  link.download = filename
  link.rel = 'noopener'
  document.body.appendChild(link)
  link.click()
  link.remove()
}

export function downloadText(filename: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }))
  download(url, filename)
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadDataUrl(filename: string, dataUrl: string): void {
  download(dataUrl, filename)
}

/**
 * One row per time (ISO 8601, UTC, so any spreadsheet reads it) present in any series, one column
 * per series; blanks where a series has no point. `timeHeader` is the first column's name in the admin's language.
 */
export function seriesToCsv(lines: readonly { name: string; t: readonly number[]; values: readonly number[] }[], timeHeader = 'time'): string {
  const times = [...new Set(lines.flatMap((l) => l.t))].sort((a, b) => a - b)
  const lookups = lines.map((l) => new Map(l.t.map((t, i) => [t, l.values[i]])))
  // Series are named after VMs and hosts: written through the one CSV writer, which neutralises formulas.
  const header = csvRow([timeHeader, ...lines.map((l) => l.name)])
  const rows = times.map((t) => csvRow([new Date(t).toISOString(), ...lookups.map((m) => m.get(t))]))
  return [header, ...rows].join('\n') + '\n'
}

/** A file name from a title: letters, digits and dashes. */
export function fileSlug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-|-$/g, '') || 'chart'
  )
}
