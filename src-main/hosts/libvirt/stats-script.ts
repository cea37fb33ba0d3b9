import { HOST_STATS_SECTIONS } from '../linux/host-reads'
import { SCRIPT_PRELUDE, shellCommandFor } from '../linux/script-frame'

/** Format version printed after START; parseStatsOutput refuses output of another version. */
export const STATS_FORMAT = 'stats-1'

/**
 * The one script run per poll per host. It is a constant: no VM name or other value is ever
 * interpolated into it. VM names only appear in its output (read from libvirt and from pid file
 * names), and are printed with printf %s, never evaluated.
 *
 * Works as a non-root user in group libvirt: /proc files, /run/libvirt/qemu/*.pid (0644) and
 * /proc/PID/task/TID/{comm,schedstat} (world-readable) are readable; when something is not,
 * the vcpu-delay section says so line by line instead of failing.
 */
export const STATS_SCRIPT = `${SCRIPT_PRELUDE}
printf "@@VP %s START ${STATS_FORMAT}%s" "$N" "$nl"
vcpu_delay() {
  d=/run/libvirt/qemu
  if [ ! -d "$d" ]; then echo "missing $d"; return 0; fi
  if [ ! -r "$d" ] || [ ! -x "$d" ]; then echo "unreadable $d"; return 0; fi
  for pf in "$d"/*.pid; do
    [ -e "$pf" ] || continue
    name=\${pf##*/}
    name=\${name%.pid}
    if [ ! -r "$pf" ]; then printf "unreadable-pidfile %s%s" "$name" "$nl"; continue; fi
    pid=
    { read -r pid < "$pf"; } 2>/dev/null
    case $pid in ''|*[!0-9]*) printf "bad-pidfile %s%s" "$name" "$nl"; continue;; esac
    if [ ! -d "/proc/$pid/task" ]; then printf "gone %s %s%s" "$pid" "$name" "$nl"; continue; fi
    n=0; run=0; delay=0; bad=0
    for t in /proc/$pid/task/*; do
      comm=
      { read -r comm < "$t/comm"; } 2>/dev/null
      case $comm in "CPU "*/KVM|"CPU "*/TCG|"ALL CPUs/TCG"|"CPU "*/HVF) ;; *) continue;; esac
      a=; b=
      { read -r a b rest < "$t/schedstat"; } 2>/dev/null
      case "$a$b" in ''|*[!0-9]*) bad=$((bad+1)); continue;; esac
      n=$((n+1)); run=$((run+a)); delay=$((delay+b))
    done
    printf "vm %s %s %s %s %s %s%s" "$pid" "$n" "$run" "$delay" "$bad" "$name" "$nl"
  done
}
sec domstats virsh -c qemu:///system domstats --raw
${HOST_STATS_SECTIONS}sec vcpu-delay vcpu_delay
printf "%s@@VP %s DONE%s" "$nl" "$N" "$nl"
`

/** What the SSH layer execs: one round trip per poll. */
export const STATS_COMMAND = shellCommandFor(STATS_SCRIPT)
