import { HOST_STATS_AWK } from '../linux/host-reads'
import { AWK_FRAMING, SESSION_PRELUDE } from '../linux/resident-frame'
import { SEC_FUNCTION } from '../linux/script-frame'

export const PVE_STATS_FORMAT = 'pve-stats-1'

/**
 * The resident statistics session of a Proxmox VE node (see linux/resident-frame.ts): a constant,
 * read-only, run as root; it answers each `@@VP <nonce> POLL -` line with:
 *
 * - `pvesh get /cluster/resources --type vm`: each guest's memory in use and cumulative disk
 *   bytes, as pvestatd last stored them (it refreshes them every 10 s, so these lag the other
 *   counters by up to that much).
 * - `qemu`: per running guest, from its QEMU pid file (<vmid>.pid, digits checked): utime and
 *   stime of the process (/proc/PID/stat, clock ticks; `clk-tck` says how long one is) and the
 *   summed schedstat of its vCPU threads (`CPU n/KVM`): time on CPU and run delay, read in the
 *   same pass so the two always come together. Its line is
 *   `vm VMID PID UTIME STIME VCPU_THREADS RUNTIME_NS DELAY_NS UNREADABLE_THREADS`, followed by
 *   the CPU time of each of its threads and of the process, in the qemu-threads section's format
 *   (`t|p TID UTIME STIME GUEST_TIME COMM`, linux/parse/qemu-threads.ts): the thread split.
 * - `nodename` (/proc/sys/kernel/hostname, what `uname -n` prints) and `clk-tck`;
 * - the libvirt session's host sections (HOST_STATS_AWK); /proc/net/dev among them also
 *   carries each guest's tap<vmid>i<n> counters, Proxmox's own source of netin/netout.
 *
 * pvesh and the loop over QEMU's threads run in one sub-shell per poll (awk cannot list a
 * folder); the /proc files are read by awk itself.
 *
 * VIRTPILOT_PVE_RUN_DIR exists for the tests (a folder of pid files).
 */
const QEMU_PROCS = `qemu_procs() {
  if [ ! -d "$R" ]; then echo "missing $R"; return 0; fi
  if [ ! -r "$R" ] || [ ! -x "$R" ]; then echo "unreadable $R"; return 0; fi
  for pf in "$R"/*.pid; do
    [ -e "$pf" ] || continue
    vmid=\${pf##*/}
    vmid=\${vmid%.pid}
    case $vmid in ""|*[!0-9]*) continue;; esac
    pid=
    { read -r pid < "$pf"; } 2>/dev/null
    case $pid in ""|*[!0-9]*) printf "bad-pidfile %s%s" "$vmid" "$nl"; continue;; esac
    st=
    { read -r st < "/proc/$pid/stat"; } 2>/dev/null
    if [ -z "$st" ]; then printf "gone %s %s%s" "$pid" "$vmid" "$nl"; continue; fi
    set -- \${st##*) }
    ut=\${12}
    stt=\${13}
    n=0; run=0; delay=0; bad=0; tl=
    for t in /proc/$pid/task/*; do
      comm=
      { read -r comm < "$t/comm"; } 2>/dev/null
      ts=
      { read -r ts < "$t/stat"; } 2>/dev/null
      if [ -n "$ts" ]; then
        set -- \${ts##*) }
        tl="$tl""t \${t##*/} \${12} \${13} \${41} $comm$nl"
      fi
      case $comm in "CPU "*/KVM|"CPU "*/TCG) ;; *) continue;; esac
      a=; b=
      { read -r a b rest < "$t/schedstat"; } 2>/dev/null
      case "$a$b" in ""|*[!0-9]*) bad=$((bad+1)); continue;; esac
      n=$((n+1)); run=$((run+a)); delay=$((delay+b))
    done
    # The process last: its total then holds at least what its threads showed.
    st=
    { read -r st < "/proc/$pid/stat"; } 2>/dev/null
    if [ -n "$st" ]; then
      pc=\${st#*(}
      pc=\${pc%)*}
      set -- \${st##*) }
      tl="$tl""p $pid \${12} \${13} \${41} $pc$nl"
    fi
    printf "vm %s %s %s %s %s %s %s %s%s%s" "$vmid" "$pid" "$ut" "$stt" "$n" "$run" "$delay" "$bad" "$nl" "$tl"
  done
}
`

export const PVE_STATS_SCRIPT = `${SESSION_PRELUDE}R=\${VIRTPILOT_PVE_RUN_DIR:-/var/run/qemu-server}
export R
VP_PVE='${SEC_FUNCTION}${QEMU_PROCS}sec clk-tck getconf CLK_TCK
sec cluster-resources pvesh get /cluster/resources --type vm --output-format json
sec qemu qemu_procs
'
export VP_PVE
exec awk $W '${AWK_FRAMING}${HOST_STATS_AWK}BEGIN { frame_init() }
$1 == "@@VP" && $3 == "POLL" && $2 ~ /^[0-9a-f]+$/ && N == "" {
  N = $2
  emit("@@VP " N " START ${PVE_STATS_FORMAT}")
  file("nodename", "/proc/sys/kernel/hostname", "")
  shell("VP_PVE")
  host()
  emit("@@VP " N " DONE")
  fflush(OUT)
  N = ""
}'
`

/** One poll's request line. */
export function pveStatsRequest(nonce: string): string {
  if (!/^[0-9a-f]{16,64}$/.test(nonce)) throw new Error('a request nonce is 16 to 64 hex digits')
  return `@@VP ${nonce} POLL -\n`
}
