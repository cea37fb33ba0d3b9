/**
 * Host reads every SSH host script shares (libvirt and Proxmox VE): tuning files read by
 * parseFileValues/hostTuningFrom (shell), /proc sections read by parseHostStats (awk). One copy, so
 * both kinds of host are counted the same way.
 */

/** `kv`, `exists` and `files` of the libvirt discover script: KSM, THP, hugepages, governors and clocks, halt_poll_ns, /dev/kvm, vhost. */
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
  kv /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_cur_freq
  kv /sys/module/kvm/parameters/halt_poll_ns
  for m in kvm_intel kvm_amd kvm_hv kvm_pr; do
    [ -e /sys/module/$m/parameters/nested ] && kv /sys/module/$m/parameters/nested
  done
  exists /dev/kvm /dev/vhost-net /dev/vhost-vsock /sys/module/vhost_net /sys/module/kvm
  exists /sys/module/kvm_intel /sys/module/kvm_amd /sys/module/kvm_hv /sys/module/kvm_pr
  return 0
}
`

/** The files of /sys/kernel/debug/kvm the stats sessions read (a file an older kernel lacks is left out). */
export const KVM_DEBUGFS_FILES = [
  'exits', 'halt_exits', 'io_exits', 'mmio_exits', 'irq_injections', 'tlb_flush', 'remote_tlb_flush',
  'halt_poll_success_ns', 'halt_poll_fail_ns', 'halt_wait_ns', 'halt_successful_poll', 'halt_attempted_poll',
] as const

/**
 * The kvm-debugfs section: `<file> <value>` per counter, or one line `unavailable not-mounted`
 * (no debugfs in /proc/self/mounts, checked once per session), `unavailable not-readable`
 * (debugfs is root's: the usual case for a non-root login) or `unavailable no-kvm` (no kvm module).
 */
const KVM_DEBUGFS_AWK = `function kvmfs(   i, l, r) {
  if (KFS == "") {
    KFS = "no"
    while ((r = (getline l < "/proc/self/mounts")) > 0) if (l ~ /^[^ ]+ [^ ]+ debugfs /) KFS = "yes"
    close("/proc/self/mounts")
    KFN = split("${KVM_DEBUGFS_FILES.join(' ')}", KF, " ")
  }
  begin("kvm-debugfs")
  if (KFS == "no") line("unavailable not-mounted")
  else if (!there("/sys/kernel/debug/kvm/exits")) line(there("/sys/module/kvm/parameters/halt_poll_ns") ? "unavailable not-readable" : "unavailable no-kvm")
  else for (i = 1; i <= KFN; i++) {
    r = (getline l < ("/sys/kernel/debug/kvm/" KF[i]))
    close("/sys/kernel/debug/kvm/" KF[i])
    if (r > 0 && l ~ /^[0-9]+$/) line(KF[i] " " l)
  }
  end(0)
}
`

/**
 * The host sections of the resident stats sessions, as an awk function `host()` on top of
 * AWK_FRAMING (linux/resident-frame.ts): /proc files read with getline, no process per file.
 * Whole disks and virtual devices are told apart by the names /proc/diskstats and /proc/net/dev
 * list (checked once per name per session under /sys/block, /sys/devices/virtual), so that
 * parseHostStats counts the same devices as `ls /sys/block` would let it. Of /proc/stat's intr
 * line only the total is sent (the rest is one counter per interrupt line, hundreds of them).
 * KVM's host-wide counters come from /sys/kernel/debug/kvm (all VMs summed by the kernel) where
 * debugfs is mounted and readable (root only); otherwise the section says which of those is not so.
 */
export const HOST_STATS_AWK = `${KVM_DEBUGFS_AWK}function host(   l, r, f, d, nb, nv, nn, i) {
  begin("stat")
  while ((r = (getline l < "/proc/stat")) > 0) {
    if (l ~ /^(cpu|ctxt|btime|processes|procs_)/) line(l)
    else if (match(l, /^intr [0-9]+/)) line(substr(l, 1, RLENGTH))
  }
  close("/proc/stat")
  if (r < 0) { end(1); text("stat.stderr", "cannot read /proc/stat") } else end(0)
  file("meminfo", "/proc/meminfo", "")
  file("vmstat", "/proc/vmstat", "^(pswpin|pswpout|pgmajfault|pgfault|pgpgin|pgpgout) ")
  file("pressure-cpu", "/proc/pressure/cpu", "")
  file("pressure-memory", "/proc/pressure/memory", "")
  file("pressure-io", "/proc/pressure/io", "")
  begin("diskstats")
  nb = 0; nv = 0
  while ((r = (getline l < "/proc/diskstats")) > 0) {
    line(l)
    split(l, f, " ")
    d = f[3]
    if (!(d in BLK)) { BLK[d] = there("/sys/block/" d "/dev"); VBLK[d] = BLK[d] && there("/sys/devices/virtual/block/" d "/dev") }
    if (BLK[d]) WHOLE[++nb] = d
    if (VBLK[d]) VIRT[++nv] = d
  }
  close("/proc/diskstats")
  if (r < 0) { end(1); text("diskstats.stderr", "cannot read /proc/diskstats") } else end(0)
  begin("block-devices")
  for (i = 1; i <= nb; i++) line(WHOLE[i])
  end(0)
  begin("virtual-block-devices")
  for (i = 1; i <= nv; i++) line(VIRT[i])
  end(0)
  begin("net-dev")
  nn = 0
  while ((r = (getline l < "/proc/net/dev")) > 0) {
    line(l)
    if (index(l, ":") == 0) continue
    d = l
    sub(/^ +/, "", d)
    sub(/:.*/, "", d)
    if (!(d in VNET)) VNET[d] = there("/sys/devices/virtual/net/" d "/ifindex")
    if (VNET[d]) VIF[++nn] = d
  }
  close("/proc/net/dev")
  if (r < 0) { end(1); text("net-dev.stderr", "cannot read /proc/net/dev") } else end(0)
  begin("virtual-net-devices")
  for (i = 1; i <= nn; i++) line(VIF[i])
  end(0)
  file("loadavg", "/proc/loadavg", "")
  file("uptime", "/proc/uptime", "")
  kvmfs()
}
`

/**
 * What storage discovery reads besides the hypervisor's own view: the filesystems (with their
 * devices and bind-mount roots), their use (df, bounded: a hung NFS server must not stall
 * discovery), block device counters for pool latency, device-mapper names, and the boot id.
 */
export const STORAGE_FUNCTIONS = `df_all() {
  if command -v timeout >/dev/null 2>&1; then timeout 10 df -P -T -B1; else df -P -T -B1; fi
}
dm_names() {
  for f in /sys/block/dm-*/dm/name; do
    [ -r "$f" ] && kv "$f"
  done
  return 0
}
`

/** The storage sections, in their order (after the hypervisor's own). */
export const STORAGE_SECTIONS = `sec boot-id cat /proc/sys/kernel/random/boot_id
sec mountinfo cat /proc/self/mountinfo
sec df df_all
sec diskstats cat /proc/diskstats
sec dm-names dm_names
`
