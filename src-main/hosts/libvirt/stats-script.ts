import { HOST_STATS_AWK } from '../linux/host-reads'
import { AWK_FRAMING, SESSION_PRELUDE } from '../linux/resident-frame'
import { SEC_FUNCTION } from '../linux/script-frame'

/** Format version printed after START; parseStatsOutput refuses output of another version. */
export const STATS_FORMAT = 'stats-1'

/**
 * The domain stats groups a poll reads: state, CPU time, balloon, per-vCPU (time, wait, run
 * delay, KVM's per-vCPU counters), interfaces and disks, and KVM's VM-wide counters (`--vm`:
 * remote TLB flushes; libvirtd leaves it out for a TCG guest and, without --enforce, on a libvirtd
 * that has no such group). Not perf, iothread, memory bandwidth or dirty rate: asking for
 * every group costs libvirtd about twice as much per poll.
 */
export const DOMSTATS_GROUPS = ['--state', '--cpu-total', '--balloon', '--vcpu', '--interface', '--block', '--vm'] as const

/** What a virsh older than the `--vm` group (libvirt 8.x) says when asked for it: the poll then asks without it. */
export const VIRSH_WITHOUT_VM_GROUP = /doesn't support option --vm\b/

/**
 * Run delay of every guest's vCPU threads from schedstat, for a libvirt too old to report
 * vcpu.N.delay itself: one line per guest, `vm PID THREADS RUN_NS DELAY_NS UNREADABLE NAME`.
 * Works as a non-root user in group libvirt: /run/libvirt/qemu/*.pid (0644) and
 * /proc/PID/task/TID/{comm,schedstat} are readable; when something is not, it says so line by line.
 */
const VCPU_DELAY = `vcpu_delay() {
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
    case $pid in ""|*[!0-9]*) printf "bad-pidfile %s%s" "$name" "$nl"; continue;; esac
    if [ ! -d "/proc/$pid/task" ]; then printf "gone %s %s%s" "$pid" "$name" "$nl"; continue; fi
    n=0; run=0; delay=0; bad=0
    for t in /proc/$pid/task/*; do
      comm=
      { read -r comm < "$t/comm"; } 2>/dev/null
      case $comm in "CPU "*/KVM|"CPU "*/TCG|"ALL CPUs/TCG"|"CPU "*/HVF) ;; *) continue;; esac
      a=; b=
      { read -r a b rest < "$t/schedstat"; } 2>/dev/null
      case "$a$b" in ""|*[!0-9]*) bad=$((bad+1)); continue;; esac
      n=$((n+1)); run=$((run+a)); delay=$((delay+b))
    done
    printf "vm %s %s %s %s %s %s%s" "$pid" "$n" "$run" "$delay" "$bad" "$name" "$nl"
  done
}
`

/**
 * Where each running guest's QEMU threads are, for the awk program to read their CPU time every
 * poll without a process per file (pid files of other processes, libvirt's driver.pid, are
 * skipped): `vm PID NAME`, then `t TID` per thread, then `k TID PID` per
 * vhost kernel thread of QEMU process PID (kernels before 6.4 run vhost workers as kernel threads,
 * children of kthreadd; later ones as threads of QEMU itself), `note TEXT` when something is not
 * readable. Run only when the running guests changed, a thread went away, or every QEMU_RELIST
 * polls (a vCPU or iothread added live), not every poll.
 */
const QEMU_TASKS = `nl="
"
d=/run/libvirt/qemu
if [ ! -d "$d" ]; then echo "note missing $d"; exit 0; fi
if [ ! -r "$d" ] || [ ! -x "$d" ]; then echo "note unreadable $d"; exit 0; fi
for pf in "$d"/*.pid; do
  [ -e "$pf" ] || continue
  name=\${pf##*/}
  name=\${name%.pid}
  pid=
  { read -r pid < "$pf"; } 2>/dev/null
  case $pid in ""|*[!0-9]*) printf "note unreadable-pidfile %s%s" "$name" "$nl"; continue;; esac
  c=
  { read -r c < "/proc/$pid/comm"; } 2>/dev/null
  case $c in qemu*|kvm) ;; *) continue;; esac
  printf "vm %s %s%s" "$pid" "$name" "$nl"
  for t in /proc/$pid/task/*; do printf "t %s%s" "\${t##*/}" "$nl"; done
done
if [ -e /dev/vhost-net ] && [ -r /proc/2/task/2/children ]; then
  kids=
  { read -r kids < /proc/2/task/2/children; } 2>/dev/null
  for k in $kids; do
    c=
    { read -r c < "/proc/$k/comm"; } 2>/dev/null
    case $c in vhost-*) printf "k %s %s%s" "$k" "\${c#vhost-}" "$nl";; esac
  done
fi
`

/** Polls between two listings of the QEMU threads even when nothing seems to have changed. */
const QEMU_RELIST = 30

/**
 * Polls in a row that list the threads again while the listing looks incomplete: a guest in
 * domstats without a QEMU process (its pid file not written yet, or still naming libvirt's forked
 * child), or a QEMU process without a vCPU thread (QEMU still setting the machine up). A guest
 * that just started is in either state for a moment; a host where it lasts is left to QEMU_RELIST.
 */
const QEMU_RETRIES = 5

/**
 * awk functions of the qemu-threads section: `qemu()` sends, per running guest, the CPU time of
 * each of its threads (t) and vhost kernel threads (k), then of its whole QEMU process (p: all
 * threads, the ones that ended too; read last, so it holds at least what the threads showed), as `<kind> <tid> <utime> <stime> <guest_time> <comm>` cut from
 * /proc/.../stat (ticks of 1/100 s). The guests seen in domstats (those with cpu.time) are the
 * signature: when it changes, the threads are listed again; and at the next polls too while the
 * listing is incomplete (QEMU_RETRIES), since a guest that just started is in domstats before its
 * QEMU process and vCPU threads are there to list.
 */
const QEMU_THREADS_AWK = `function qemu_list(   cmd, l, f, i) {
  delete QPID; delete QNAME; delete QT; delete QTID; delete QK; delete QKID; delete QPI; delete QNOTE
  QN = 0; QNN = 0
  cmd = "eval " DQ "$VP_QEMU_TASKS" DQ " </dev/null"
  while ((cmd | getline l) > 0) {
    split(l, f, " ")
    if (f[1] == "vm" && f[2] ~ /^[0-9]+$/) { QN++; QPID[QN] = f[2]; QNAME[QN] = substr(l, 5 + length(f[2])); QT[QN] = 0; QK[QN] = 0; QPI[f[2]] = QN }
    else if (f[1] == "t" && QN > 0 && f[2] ~ /^[0-9]+$/) { QT[QN]++; QTID[QN, QT[QN]] = f[2] }
    else if (f[1] == "k" && (f[3] in QPI) && f[2] ~ /^[0-9]+$/) { i = QPI[f[3]]; QK[i]++; QKID[i, QK[i]] = f[2] }
    else if (f[1] == "note") QNOTE[++QNN] = l
  }
  close(cmd)
  QAGE = 0
  QLAST = QSIG
}
function task(kind, path,   l, r, o, c, f) {
  r = (getline l < path)
  close(path)
  if (r <= 0) return 0
  o = index(l, "(")
  if (o < 2 || !match(l, /.*[)]/)) return 0
  c = substr(l, o + 1, RLENGTH - o - 1)
  split(substr(l, RLENGTH + 2), f, " ")
  line(kind " " substr(l, 1, o - 2) " " f[12] " " f[13] " " f[41] " " c)
  TC = c
  return 1
}
function qemu(   i, j, miss, part, v) {
  if (QSIG != QLAST) QTRY = 0
  if (QSIG != QLAST || QMISS || ++QAGE > ${QEMU_RELIST}) qemu_list()
  begin("qemu-threads")
  miss = 0
  part = (QN < QSN)
  for (i = 1; i <= QNN; i++) line(QNOTE[i])
  for (i = 1; i <= QN; i++) {
    line("vm " QPID[i] " " QNAME[i])
    v = 0
    for (j = 1; j <= QT[i]; j++) {
      if (!task("t", "/proc/" QPID[i] "/task/" QTID[i, j] "/stat")) miss = 1
      else if (TC ~ /^(CPU [0-9]|ALL CPUs)/) v = 1
    }
    for (j = 1; j <= QK[i]; j++) if (!task("k", "/proc/" QKID[i, j] "/stat")) miss = 1
    if (!task("p", "/proc/" QPID[i] "/stat")) miss = 1
    if (!v) part = 1
  }
  QMISS = miss || (part && ++QTRY <= ${QEMU_RETRIES})
  end(0)
}
`

/**
 * The resident statistics session of a libvirt host (see linux/resident-frame.ts). A constant:
 * no VM name or other value is ever put into it or into a request; names only travel in its
 * output. `virsh` stays connected to libvirtd in interactive mode, reading the requests from the
 * session's input; everything it prints (stderr too) goes to the awk program, which answers
 * `echo --err @@VP <nonce> POLL <flags>` with the host sections, then passes the domstats lines
 * on until `echo --err @@VP <nonce> END`. Readline's echo and prompts are dropped: a domstats
 * line starts with "Domain: ", two spaces, or is empty. The URI comes from the environment, not
 * -c: then virsh connects on first use and again after libvirtd restarts, instead of exiting when
 * libvirtd is down at start. It keeps no history file (XDG_CACHE_HOME=/dev/null): nothing is
 * written on the host (its complaint about that at exit is dropped). Should awk die, the whole
 * session goes with it (kill 0: its process group), not only at virsh's next write.
 */
export const STATS_SCRIPT = `${SESSION_PRELUDE}unset VIRSH_DEFAULT_CONNECT_URI
LIBVIRT_DEFAULT_URI=qemu:///system
export LIBVIRT_DEFAULT_URI
XDG_CACHE_HOME=/dev/null
export XDG_CACHE_HOME
TERM=dumb
export TERM
VP_SCHEDSTAT='${SEC_FUNCTION}${VCPU_DELAY}sec vcpu-delay vcpu_delay
'
export VP_SCHEDSTAT
VP_QEMU_TASKS='${QEMU_TASKS}'
export VP_QEMU_TASKS
virsh -q -k 5 -K 3 2>&1 | { awk $W '${AWK_FRAMING}${HOST_STATS_AWK}${QEMU_THREADS_AWK}function finish(rc, err, threads) {
  end(rc)
  if (err != "") text("domstats.stderr", err)
  if (threads) qemu()
  emit("@@VP " N " DONE")
  fflush(OUT)
  N = ""
}
BEGIN { frame_init(); LOST = ""; QN = 0; QNN = 0; QLAST = "-"; QSIG = ""; QSN = 0; QTRY = 0 }
{
  l = $0
  while (substr(l, 1, 8) == "virsh # " || substr(l, 1, 8) == "virsh > ") l = substr(l, 9)
  if (substr(l, 1, 12) == "error: @@VP ") {
    split(l, f, " ")
    if (f[4] == "POLL" && N == "" && f[3] ~ /^[0-9a-f]+$/) {
      N = f[3]
      emit("@@VP " N " START ${STATS_FORMAT}")
      host()
      if (f[5] == "schedstat") shell("VP_SCHEDSTAT")
      begin("domstats")
      DE = ""
      QSIG = ""
      QSN = 0
      QON = f[6] == "threads"
    } else if (f[4] == "END" && f[3] == N) finish(DE == "" ? 0 : 1, DE, QON)
    next
  }
  if (N == "") {
    if (l != "" && substr(l, 1, 5) != "echo " && substr(l, 1, 9) != "domstats " && index(l, "/dev/null/") == 0) LOST = substr(LOST l NL, 1, 2000)
    next
  }
  if (substr(l, 1, 7) == "error: ") DE = DE substr(l, 8) NL
  else if (l == "" || substr(l, 1, 8) == "Domain: " || substr(l, 1, 2) == "  ") {
    line(l)
    if (substr(l, 1, 8) == "Domain: ") QD = l
    else if (substr(l, 1, 11) == "  cpu.time=") { QSIG = QSIG QD NL; QSN++ }
  }
}
END {
  if (N != "") finish(1, DE "virsh ended" NL, 0)
  if (LOST != "") printf "%s", LOST > "/dev/stderr"
}' || kill -KILL 0; }
`

/** What the session expects per poll: virsh commands around one domstats, marked with the nonce. */
export function statsRequest(nonce: string, options: { schedstat: boolean; threads?: boolean; vmGroup?: boolean }): string {
  if (!/^[0-9a-f]{16,64}$/.test(nonce)) throw new Error('a request nonce is 16 to 64 hex digits')
  const groups = options.vmGroup === false ? DOMSTATS_GROUPS.filter((g) => g !== '--vm') : DOMSTATS_GROUPS
  return `echo --err @@VP ${nonce} POLL ${options.schedstat ? 'schedstat' : '-'} ${options.threads === false ? '-' : 'threads'}\ndomstats --raw ${groups.join(' ')}\necho --err @@VP ${nonce} END\n`
}
