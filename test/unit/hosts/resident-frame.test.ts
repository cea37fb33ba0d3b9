import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { splitSections } from '../../../src-main/hosts/linux/parse/sections'
import { AWK_FRAMING, DeltaFrames, FrameError, SESSION_PRELUDE } from '../../../src-main/hosts/linux/resident-frame'
import { ResidentSession } from '../../../src-main/ssh/session-channel'
import { LocalHost } from './local-session'

// The awk side of the framing runs for real (this machine's awk); the transport is a FAKE local
// process in place of an SSH channel.

/** A session whose awk program frames whatever sections the request spells out. */
const ECHO_SECTIONS = `${SESSION_PRELUDE}exec awk $W '${AWK_FRAMING}BEGIN { frame_init() }
$1 == "POLL" { N = $2; emit("@@VP " N " START test-1"); next }
$1 == "BEGIN" { begin($2); next }
$1 == "END" { end($2 + 0); next }
$1 == "DONE" { emit("@@VP " N " DONE"); fflush(OUT); N = ""; next }
substr($0, 1, 5) == "LINE " { line(substr($0, 6)) }'
`

interface Section {
  name: string
  lines: string[]
  rc: number
}

/** The one-shot scripts' format of the same sections, as DeltaFrames must give it back. */
function oneShot(nonce: string, sections: Section[]): string {
  const parts = [`@@VP ${nonce} START test-1`]
  for (const s of sections) parts.push(`@@VP ${nonce} BEGIN ${s.name}`, ...s.lines, '', `@@VP ${nonce} END ${s.name} ${s.rc}`)
  return `${[...parts, `@@VP ${nonce} DONE`].join('\n')}\n`
}

const host = new LocalHost()
const session = new ResidentSession(host, { script: ECHO_SECTIONS, what: 'framing' })
afterAll(() => session.close())

async function poll(frames: DeltaFrames, nonce: string, sections: Section[]): Promise<{ decoded: string; sent: string }> {
  const request = [`POLL ${nonce}`, ...sections.flatMap((s) => [`BEGIN ${s.name}`, ...s.lines.map((l) => `LINE ${l}`), `END ${s.rc}`]), 'DONE'].join('\n')
  const answer = await session.request(`${request}\n`, ({ tail }) => tail.endsWith(`@@VP ${nonce} DONE\n`), 10_000)
  return { decoded: frames.decode(answer.text, nonce), sent: answer.text }
}

describe('the resident framing (awk encoder, DeltaFrames decoder)', () => {
  it('gives back every section exactly, poll after poll, whatever the lines hold', async () => {
    const frames = new DeltaFrames()
    // Control, line-separator and bidi characters too: names are data, and reach the parsers (which escape them) unchanged.
    const text = fc.string({ unit: fc.constantFrom('=', '+', '@', 'V', 'P', ' ', 'a', '1', '9', 'é', '中', ':', '\t', '\r', '\u001b', '\u0085', '\u2028', '\u202e'), maxLength: 12 })
    const section = fc.record({
      name: fc.constantFrom('stat', 'meminfo', 'domstats', 'domstats.stderr'),
      lines: fc.array(text, { maxLength: 8 }),
      rc: fc.constantFrom(0, 0, 0, 1),
    })
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(section, { selector: (s) => s.name, maxLength: 4 }), async (sections) => {
        const nonce = `feed${(n++).toString(16).padStart(12, '0')}`
        const { decoded } = await poll(frames, nonce, sections)
        expect(decoded).toBe(oneShot(nonce, sections))
        expect(splitSections(decoded, 'test-1').ok).toBe(true)
      }),
      { numRuns: 60 },
    )
  }, 120_000)

  it('sends only the lines that changed since the last answer', async () => {
    const frames = new DeltaFrames()
    const meminfo = Array.from({ length: 50 }, (_, i) => `Key${i}: ${i * 1000} kB`)
    await poll(frames, 'a0a0a0a0a0a0a0a0', [{ name: 'meminfo', lines: meminfo, rc: 0 }])
    const changed = meminfo.map((l, i) => (i === 1 ? 'Key1: 1 kB' : l))
    const { decoded, sent } = await poll(frames, 'b0b0b0b0b0b0b0b0', [{ name: 'meminfo', lines: changed, rc: 0 }])
    expect(decoded).toBe(oneShot('b0b0b0b0b0b0b0b0', [{ name: 'meminfo', lines: changed, rc: 0 }]))
    expect(sent).toBe(['@@VP b0b0b0b0b0b0b0b0 START test-1', '@@VP b0b0b0b0b0b0b0b0 BEGIN meminfo', '=1', 'Key1: 1 kB', '=48', '@@VP b0b0b0b0b0b0b0b0 END meminfo 0 50', '@@VP b0b0b0b0b0b0b0b0 DONE', ''].join('\n'))
  }, 30_000)
})

describe('DeltaFrames refuses what the framing cannot produce', () => {
  const nonce = '0123456789abcdef'
  const wrap = (...lines: string[]) => `${[`@@VP ${nonce} START f`, ...lines, `@@VP ${nonce} DONE`].join('\n')}\n`
  it.each([
    ['another request`s answer', wrap().replace(nonce, 'fedcba9876543210'), /does not start with this request's START line/],
    ['a cut answer', wrap(`@@VP ${nonce} BEGIN a`, 'x').replace(`@@VP ${nonce} DONE\n`, ''), /does not end with its DONE line/],
    ['lines the previous answer did not have', wrap(`@@VP ${nonce} BEGIN a`, '=2', `@@VP ${nonce} END a 0 2`), /"=2" refers to lines the previous answer did not have/],
    ['a wrong line count', wrap(`@@VP ${nonce} BEGIN a`, 'x', `@@VP ${nonce} END a 0 3`), /1 lines decoded, the host counted 3/],
    ['a line outside any section', wrap('stray'), /a line outside any section: "stray"/],
    ['a section without END', wrap(`@@VP ${nonce} BEGIN a`, 'x'), /section a has no END/],
    ['an unknown marker', wrap(`@@VP ${nonce} SAME a`), /unexpected marker "SAME a"/],
  ])('%s', (_, answer, message) => {
    expect(() => new DeltaFrames().decode(answer, nonce)).toThrow(FrameError)
    expect(() => new DeltaFrames().decode(answer, nonce)).toThrow(message)
  })

  it('refuses an answer that grows past its cap once decoded, though each answer sends little', () => {
    const frames = new DeltaFrames(1000)
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i} `.padEnd(60, 'x'))
    frames.decode(wrap(`@@VP ${nonce} BEGIN a`, ...lines, `@@VP ${nonce} END a 0 10`), nonce)
    // Ten unchanged lines cost the host four bytes; ten more make the section twice as long.
    const grown = wrap(`@@VP ${nonce} BEGIN a`, '=10', ...lines, `@@VP ${nonce} END a 0 20`)
    expect(() => frames.decode(grown, nonce)).toThrow(/holds more than 1 KiB of text once decoded/)
    expect(new DeltaFrames(100_000).decode(wrap(`@@VP ${nonce} BEGIN a`, ...lines, `@@VP ${nonce} END a 0 10`), nonce)).toContain(lines[9])
  })

  it('reads a one-shot script output as an answer (no counts, no runs), and forgets on reset', () => {
    const frames = new DeltaFrames()
    const first = `@@VP ${nonce} START f\n@@VP ${nonce} BEGIN a\nx\ny\n\n@@VP ${nonce} END a 0\n@@VP ${nonce} DONE\n`
    expect(frames.decode(first, nonce)).toBe(first)
    expect(frames.decode(wrap(`@@VP ${nonce} BEGIN a`, '=2', `@@VP ${nonce} END a 0 2`), nonce)).toContain('BEGIN a\nx\ny\n\n@@VP')
    frames.reset()
    expect(() => frames.decode(wrap(`@@VP ${nonce} BEGIN a`, '=2', `@@VP ${nonce} END a 0 2`), nonce)).toThrow(FrameError)
  })
})
