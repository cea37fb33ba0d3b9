/**
 * The framing both host scripts share. Every section is printed between two marker lines that
 * carry a per-run random nonce read on the host, so no VM name, XML description or file content
 * can forge a marker:
 *
 *   @@VP <nonce> START <format>
 *   @@VP <nonce> BEGIN <section>
 *   ...output of one command, verbatim...
 *   @@VP <nonce> END <section> <exit status>
 *
 * A command's stderr, when it printed any, follows as the section `<section>.stderr`.
 * The scripts contain no backslash, so wrapping them in single quotes is exact in sh, bash,
 * dash, zsh, ksh and fish (whatever the admin's login shell is); csh is not supported.
 */
export const SCRIPT_PRELUDE = `LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
N=$(cat /proc/sys/kernel/random/uuid 2>/dev/null) || N=
[ -n "$N" ] || N="p$$-$(date +%s%N)"
nl="
"
sec() {
  s_name=$1
  shift
  printf "%s@@VP %s BEGIN %s%s" "$nl" "$N" "$s_name" "$nl"
  { s_err=$("$@" 2>&1 >&3 3>&-); } 3>&1
  s_rc=$?
  printf "%s@@VP %s END %s %s%s" "$nl" "$N" "$s_name" "$s_rc" "$nl"
  if [ -n "$s_err" ]; then
    printf "@@VP %s BEGIN %s.stderr%s%s%s@@VP %s END %s.stderr 0%s" "$N" "$s_name" "$nl" "$s_err" "$nl" "$N" "$s_name" "$nl"
  fi
}
`

/** `sh -c '<script>'` for an ssh exec; only single quotes need escaping (see above). */
export function shellCommandFor(script: string): string {
  if (script.includes('\\')) throw new Error('host scripts must not contain a backslash')
  return `sh -c '${script.replaceAll("'", `'"'"'`)}'`
}
