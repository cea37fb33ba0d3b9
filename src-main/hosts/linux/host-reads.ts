/**
 * Host reads every SSH host script shares (libvirt and Proxmox VE), as shell text: tuning files
 * read by parseFileValues/hostTuningFrom, /proc sections read by parseHostStats. One copy, so
 * both kinds of host are counted the same way.
 */

/** `kv`, `exists` and `files` of the libvirt discover script: KSM, THP, hugepages, governors, halt_poll_ns, /dev/kvm, vhost. */
export const HOST_FILES_FUNCTIONS = `kv() {
  for f in "$@"; do
    if [ ! -e "$f" ]; then printf "%s!missing%s" "$f" "$nl"
    elif [ ! -r "$f" ]; then printf "%s!unreadable%s" "$f" "$nl"
    else v=; { read -r v < "$f"; } 2>/dev/null; printf "%s=%s%s" "$f" "$v" "$nl"; fi
  done
}
exists() {
  for f in "$@"; do
    if [ -e "$f" ]; then printf "%s=yes%s" "$f" "$nl"; else printf "%s=no%s" "$f" "$nl"; fi
  done
}
files() {
  kv /sys/kernel/mm/ksm/*
  kv /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag
  kv /sys/kernel/mm/hugepages/hugepages-*/nr_hugepages /sys/kernel/mm/hugepages/hugepages-*/free_hugepages
  kv /sys/kernel/mm/hugepages/hugepages-*/resv_hugepages /sys/kernel/mm/hugepages/hugepages-*/surplus_hugepages
  kv /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor
  kv /sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq
  kv /sys/module/kvm/parameters/halt_poll_ns
  for m in kvm_intel kvm_amd kvm_hv kvm_pr; do
    [ -e /sys/module/$m/parameters/nested ] && kv /sys/module/$m/parameters/nested
  done
  exists /dev/kvm /dev/vhost-net /dev/vhost-vsock /sys/module/vhost_net /sys/module/kvm
  exists /sys/module/kvm_intel /sys/module/kvm_amd /sys/module/kvm_hv /sys/module/kvm_pr
  return 0
}
`

/** The host sections of the libvirt stats script, in its order. */
export const HOST_STATS_SECTIONS = `sec stat grep -E "^(cpu|ctxt|btime|processes|procs_)" /proc/stat
sec meminfo cat /proc/meminfo
sec vmstat grep -E "^(pswpin|pswpout|pgmajfault|pgfault) " /proc/vmstat
sec pressure-cpu cat /proc/pressure/cpu
sec pressure-memory cat /proc/pressure/memory
sec pressure-io cat /proc/pressure/io
sec diskstats cat /proc/diskstats
sec block-devices ls /sys/block
sec virtual-block-devices ls /sys/devices/virtual/block
sec net-dev cat /proc/net/dev
sec virtual-net-devices ls /sys/devices/virtual/net
sec loadavg cat /proc/loadavg
sec uptime cat /proc/uptime
`
