/**
 * A tooltip's HTML from lines of text: ECharts inserts a formatter's string as HTML, so every
 * line is escaped (host and VM names are data, never markup).
 */
export function tooltipHtml(lines: readonly string[]): string {
  return lines.map((line) => line.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)).join('<br/>')
}
