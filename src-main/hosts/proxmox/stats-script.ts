import { SCRIPT_PRELUDE, shellCommandFor } from '../linux/script-frame'
import { HOST_STATS_SECTIONS } from '../linux/host-reads'

export const PVE_STATS_FORMAT = 'pve-stats-1'

/**
 * The one script run per poll on a Proxmox VE node: a constant, read-only, run as root.
 *
 * - `pvesh get /cluster/resources --type vm`: each guest's memory in use and cumulative disk
 *   bytes, as pvestatd last stored them (it refreshes them every 10 s, so these lag the other
 *   counters by up to that much).
 * - `qemu`: per running guest, from its QEMU pid file (<vmid>.pid, digits checked): utime and
 *   stime of the process (/proc/PID/stat, clock ticks; `clk-tck` says how long one is) and the
 *   summed schedstat of its vCPU threads (`CPU n/KVM`): time on CPU and run delay, read in the
 *   same pass so the two always come together. Its line is
 *   `vm VMID PID UTIME STIME VCPU_THREADS RUNTIME_NS DELAY_NS UNREADABLE_THREADS`.
 * - the libvirt stats script's host sections, byte for byte; /proc/net/dev among them also
 *   carries each guest's tap<vmid>i<n> counters, Proxmox's own source of netin/netout.
 *
 * VIRTPILOT_PVE_RUN_DIR exists for the tests (a folder of pid files).
 */
export const PVE_STATS_SCRIPT = `${SCRIPT_PRELUDE}
printf "@@VP %s START ${PVE_STATS_FORMAT}%s" "$N" "$nl"
R=\${VIRTPILOT_PVE_RUN_DIR:-/var/run/qemu-server}
qemu_procs() {
  if [ ! -d "$R" ]; then echo "missing $R"; return 0; fi
  if [ ! -r "$R" ] || [ ! -x "$R" ]; then echo "unreadable $R"; return 0; fi
  for pf in "$R"/*.pid; do
    [ -e "$pf" ] || continue
    vmid=\${pf##*/}
    vmid=\${vmid%.pid}
    case $vmid in ''|*[!0-9]*) continue;; esac
    pid=
    { read -r pid < "$pf"; } 2>/dev/null
    case $pid in ''|*[!0-9]*) printf "bad-pidfile %s%s" "$vmid" "$nl"; continue;; esac
    st=
    { read -r st < "/proc/$pid/stat"; } 2>/dev/null
    if [ -z "$st" ]; then printf "gone %s %s%s" "$pid" "$vmid" "$nl"; continue; fi
    set -- \${st##*) }
    ut=\${12}
    stt=\${13}
    n=0; run=0; delay=0; bad=0
    for t in /proc/$pid/task/*; do
      comm=
      { read -r comm < "$t/comm"; } 2>/dev/null
      case $comm in "CPU "*/KVM|"CPU "*/TCG) ;; *) continue;; esac
      a=; b=
      { read -r a b rest < "$t/schedstat"; } 2>/dev/null
      case "$a$b" in ''|*[!0-9]*) bad=$((bad+1)); continue;; esac
      n=$((n+1)); run=$((run+a)); delay=$((delay+b))
    done
    printf "vm %s %s %s %s %s %s %s %s%s" "$vmid" "$pid" "$ut" "$stt" "$n" "$run" "$delay" "$bad" "$nl"
  done
}
sec nodename uname -n
sec clk-tck getconf CLK_TCK
sec cluster-resources pvesh get /cluster/resources --type vm --output-format json
sec qemu qemu_procs
${HOST_STATS_SECTIONS}printf "%s@@VP %s DONE%s" "$nl" "$N" "$nl"
`

/** What the SSH layer execs: one round trip per poll. */
export const PVE_STATS_COMMAND = shellCommandFor(PVE_STATS_SCRIPT)
