import { splitSections } from '../../../src-main/hosts/linux/parse/sections'

/**
 * Characters of `current` (a decoded poll) on lines equal to the same line of the same section of
 * `previous` (when that section succeeded): what a resident session need not send again. On a busy machine most /proc lines
 * change between two polls, so tests compare what was sent with this, not with a fixed share.
 */
export function unchangedChars(previous: string, current: string, format: string): number {
  const sections = (text: string) => {
    const split = splitSections(text, format)
    if (!split.ok) throw new Error(`not a ${format} output`)
    return new Map(split.value.sections.map((s) => [s.name, { lines: s.body.split('\n'), ok: s.exitCode === 0 }]))
  }
  const before = sections(previous)
  let chars = 0
  for (const [name, { lines }] of sections(current)) {
    // A section is coded against the previous one of its name only if that one succeeded.
    const old = before.get(name)?.ok ? before.get(name)!.lines : []
    lines.forEach((line, i) => {
      if (line !== '' && old[i] === line) chars += line.length + 1
    })
  }
  return chars
}
