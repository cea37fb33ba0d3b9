import { PERF_KVM_MAX_SECONDS } from '../../../shared/model'

/**
 * `perf kvm stat` on demand for one QEMU process: record for a few seconds, then report VM exits.
 * The admin asks for it and sees this text before it runs; nothing starts it on its own. Only two
 * integers go in (the process id VirtPilot read in its last poll, and the duration): no name.
 * perf needs root (the kvm tracepoints); as another user it runs through `sudo -n` when that is
 * allowed without a password, and says so otherwise.
 */
export function perfKvmScript(pid: number, seconds: number): string {
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new Error(`not a process id: ${pid}`)
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > PERF_KVM_MAX_SECONDS) throw new Error(`record for 1 to ${PERF_KVM_MAX_SECONDS} seconds`)
  return `LC_ALL=C; export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
pid=${pid}
if ! command -v perf >/dev/null 2>&1; then echo "VP-PERF missing"; exit 0; fi
case $(cat /proc/$pid/comm 2>/dev/null) in qemu*|kvm) ;; *) echo "VP-PERF no-process"; exit 0;; esac
if [ "$(id -u)" = 0 ]; then run=; elif sudo -n true 2>/dev/null; then run="sudo -n"; else echo "VP-PERF needs-root"; exit 0; fi
dir=$(mktemp -d) || exit 1
trap 'cd / && $run rm -rf "$dir"' EXIT
cd "$dir" || exit 1
if ! $run perf kvm stat record -p $pid sleep ${seconds} >record.log 2>&1; then echo "VP-PERF record-failed"; tail -n 20 record.log; exit 0; fi
echo "VP-PERF report"
$run perf kvm stat report --event=vmexit 2>&1
`
}
