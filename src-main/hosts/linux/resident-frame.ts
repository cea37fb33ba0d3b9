/**
 * Both ends of a resident statistics session: one `sh -c SCRIPT` per host that stays up for
 * many polls and answers one request per poll (src-main/ssh/session-channel.ts carries it).
 *
 * On the host, an awk program does the reading: /proc and /sys files with getline (no process
 * per file), commands only where nothing else can (virsh stays resident; pvesh and loops over
 * /proc/PID/task run in one sub-shell per poll). It frames its answer like the one-shot scripts
 * (script-frame.ts), with the nonce the request carried, and sends each section as the lines
 * that changed since its previous answer:
 *
 *   @@VP <nonce> START <format>
 *   @@VP <nonce> BEGIN <section>
 *   =<k>            the next k lines are those of the previous answer, at the same place
 *   +<line>         a line that itself starts with = or +
 *   <line>          any other line, as read
 *   @@VP <nonce> END <section> <exit status> <line count>
 *   ...
 *   @@VP <nonce> DONE
 *
 * A section is coded against the previous one of that name only if that one succeeded (exit 0);
 * both ends keep that state for the life of the session. The client decodes an answer back into
 * the one-shot format, so the same parsers read both.
 *
 * (Not SSH compression: it would shrink answers further, but ssh2 then throws an uncatchable
 * "Invalid Zlib instance" when a connection drops under a channel that ended its input,
 * mscdex/ssh2#1178.)
 *
 * The awk text contains no backslash and no single quote (the session script is `sh -c '...'`
 * with the program in single quotes inside it): newlines come from sprintf("%c", 10).
 */

import { english, msg } from '../../../shared/i18n'
import type { MessageRef } from '../../../shared/model'
import { describeBytes } from '../../ssh/output-cap'

/** Shell lines every resident script starts with: C locale, the usual PATH, and how to run awk. */
export const SESSION_PRELUDE = `LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
W=
case $(awk -W version 2>&1) in *mawk*) W="-W interactive";; esac
`
// mawk reads a pipe in whole buffers unless told otherwise: -W interactive makes it read stdin
// line by line (and write stdout unbuffered, which is why answers go out through one `cat`).

/**
 * awk functions of the framing: `begin(name)`, `line(text)`, `end(rc)` stream one section;
 * `text(name, s)` sends a string as a section; `file(name, path, keep)` a file's lines (those
 * matching the regex `keep`, or all); `shell(var)` runs the shell text in environment variable
 * `var` and passes on the sections it frames with `sec`; `there(path)` says whether a file can be
 * opened. The caller sets N (the request's nonce) and starts each answer with START. The
 * sub-shells frame their sections with `sec` (script-frame.ts) and the session's host-made key K
 * as their nonce; awk re-frames them with N.
 */
export const AWK_FRAMING = `function emit(s) { print s | OUT }
function begin(name) { SN = name; SI = 0; SR = 0; SP = (name in PN) ? PN[name] : 0; emit("@@VP " N " BEGIN " name) }
function line(l,   k, c) {
  SI++
  k = SN SUBSEP SI
  if (SI <= SP && PL[k] == l) { SR++; return }
  if (SR > 0) { emit("=" SR); SR = 0 }
  c = substr(l, 1, 1)
  if (c == "=" || c == "+") emit("+" l); else emit(l)
  PL[k] = l
}
function end(rc) {
  if (SR > 0) emit("=" SR)
  emit("@@VP " N " END " SN " " rc " " SI)
  PN[SN] = rc == 0 ? SI : 0
}
function text(name, s,   n, a, i) {
  begin(name)
  n = split(s, a, NL)
  if (n > 0 && a[n] == "") n--
  for (i = 1; i <= n; i++) line(a[i])
  end(0)
}
function there(p,   x, r) { r = (getline x < p); close(p); return r >= 0 }
function file(name, path, keep,   l, r) {
  begin(name)
  while ((r = (getline l < path)) > 0) if (keep == "" || l ~ keep) line(l)
  close(path)
  if (r < 0) { end(1); text(name ".stderr", "cannot read " path) } else end(0)
}
function shell(var,   cmd, l, f, on, held, h) {
  cmd = "N=" K " eval " DQ "$" var DQ " </dev/null"
  on = 0
  while ((cmd | getline l) > 0) {
    if (substr(l, 1, length(KP)) == KP) {
      split(substr(l, length(KP) + 1), f, " ")
      if (f[1] == "BEGIN") { begin(f[2]); on = 1; h = 0 }
      else if (f[1] == "END" && on) { if (h && held != "") line(held); end(f[3] + 0); on = 0 }
      continue
    }
    if (on) { if (h) line(held); held = l; h = 1 }
  }
  close(cmd)
}
function frame_init() {
  NL = sprintf("%c", 10)
  DQ = sprintf("%c", 34)
  OUT = "cat"
  N = ""
  K = ""
  getline K < "/proc/sys/kernel/random/uuid"
  close("/proc/sys/kernel/random/uuid")
  gsub(/-/, "", K)
  if (K !~ /^[0-9a-f]+$/) { srand(); K = sprintf("%d%d", rand() * 1000000000, rand() * 1000000000) }
  KP = "@@VP " K " "
}
`

/** An answer that does not follow the framing: the session that sent it is not to be trusted. */
export class FrameError extends Error {
  override name = 'FrameError'
  constructor(readonly messageRef: MessageRef) {
    super(english(messageRef))
  }
}

/**
 * The client side: keeps each section's last lines for the life of one session and turns an
 * answer back into the one-shot scripts' format (script-frame.ts), for parseStatsOutput and
 * parseProxmoxStatsOutput.
 */
export class DeltaFrames {
  private previous = new Map<string, string[]>()

  /**
   * `maxChars`: the most text one decoded answer may hold. Runs of unchanged lines cost the host
   * nothing to send, so without it a host could grow an answer poll after poll past any cap.
   */
  constructor(private readonly maxChars = Infinity) {}

  /** Forgets everything: a new session starts from full sections. */
  reset(): void {
    this.previous.clear()
  }

  /** Decodes one answer to the request that carried `nonce`; FrameError if it is not one. */
  decode(answer: string, nonce: string): string {
    const prefix = `@@VP ${nonce} `
    const lines = answer.split('\n')
    if (lines.at(-1) === '') lines.pop()
    if (!lines[0]?.startsWith(`${prefix}START `)) throw new FrameError(msg('access.session.frame.noStart', { output: JSON.stringify(answer.slice(0, 80)) }))
    if (lines.at(-1) !== `${prefix}DONE`) throw new FrameError(msg('access.session.frame.noDone'))
    const out: string[] = [lines[0]]
    let open: { name: string; lines: string[]; from: string[] } | undefined
    let size = answer.length
    const grow = (chars: number) => {
      size += chars
      if (size > this.maxChars) throw new FrameError(msg('access.session.frame.tooLarge', { size: describeBytes(this.maxChars) }))
    }
    for (let i = 1; i < lines.length - 1; i++) {
      const l = lines[i]!
      if (l.startsWith(prefix)) {
        const rest = l.slice(prefix.length)
        const begin = /^BEGIN (\S+)$/.exec(rest)
        const end = /^END (\S+) (\d+)(?: (\d+))?$/.exec(rest)
        if (begin && !open) {
          open = { name: begin[1]!, lines: [], from: this.previous.get(begin[1]!) ?? [] }
        } else if (end && open && end[1] === open.name) {
          // A one-shot script's section (no count) ends with the empty line printed before END.
          if (end[3] === undefined && open.lines.at(-1) === '') open.lines.pop()
          if (end[3] !== undefined && Number(end[3]) !== open.lines.length) {
            throw new FrameError(msg('access.session.frame.lineCount', { section: open.name, count: open.lines.length, counted: end[3] }))
          }
          if (end[2] === '0') this.previous.set(open.name, open.lines)
          else this.previous.delete(open.name)
          out.push(`${prefix}BEGIN ${open.name}`, ...open.lines, '', `${prefix}END ${open.name} ${end[2]}`)
          open = undefined
        } else {
          throw new FrameError(msg('access.session.frame.marker', { output: JSON.stringify(rest.slice(0, 60)) }))
        }
        continue
      }
      if (!open) {
        // one-shot scripts print an empty line before each BEGIN
        if (l === '') continue
        throw new FrameError(msg('access.session.frame.outside', { output: JSON.stringify(l.slice(0, 60)) }))
      }
      if (l.startsWith('=')) {
        const k = /^=([1-9]\d*)$/.exec(l)
        const at = open.lines.length
        if (!k || at + Number(k[1]) > open.from.length) throw new FrameError(msg('access.session.frame.badReference', { section: open.name, output: JSON.stringify(l) }))
        for (let j = 0; j < Number(k[1]); j++) {
          const same = open.from[at + j]!
          grow(same.length + 1)
          open.lines.push(same)
        }
      } else {
        open.lines.push(l.startsWith('+') ? l.slice(1) : l)
      }
    }
    if (open) throw new FrameError(msg('access.session.frame.noEnd', { section: open.name }))
    out.push(lines.at(-1)!)
    return `${out.join('\n')}\n`
  }
}
