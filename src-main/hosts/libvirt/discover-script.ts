import { HOST_FILES_FUNCTIONS, STORAGE_FUNCTIONS, STORAGE_SECTIONS } from '../linux/host-reads'
import { MANAGER_FUNCTIONS, MANAGER_SECTIONS } from '../linux/manager-reads'
import { SCRIPT_PRELUDE, shellCommandFor } from '../linux/script-frame'

export const DISCOVER_FORMAT = 'discover-1'

/** Domains per virsh process: keeps each virsh argument far below Linux's 128 KiB per-argument limit. */
export const DUMPXML_BATCH = 100

/**
 * Discovery of one host in one exec: host facts, libvirt capabilities and versions, tuning
 * knobs, and the XML of every domain. Domains are addressed by the UUIDs libvirt lists, each
 * checked to be only hex digits and dashes before it is used, so no name ever reaches a shell;
 * the dumpxml calls run in batches inside one virsh process each, separated by virsh `echo`
 * markers that carry the nonce. Storage the same way: pools by the UUIDs libvirt lists (XML, and
 * the volumes of active ones), each domain's block sizes (domblkinfo), and the filesystems,
 * devices and boot id the storage module needs (host-reads.ts). Read-only: nothing is changed
 * on the host (pools are not refreshed: file pools' figures come from df, which is always fresh).
 * What says another manager owns the VMs (Proxmox HA, pacemaker, oVirt, nova) comes from manager-reads.ts.
 */
export const DISCOVER_SCRIPT = `${SCRIPT_PRELUDE}
printf "@@VP %s START ${DISCOVER_FORMAT}%s" "$N" "$nl"
V="virsh -q -c qemu:///system"
# Tables keep their header (names and paths may hold spaces: the header says where columns start).
VT="virsh -c qemu:///system"
${HOST_FILES_FUNCTIONS}${MANAGER_FUNCTIONS}dumpxml_all() {
  d_err=
  d_cmds=
  d_n=0
  for u in $(virsh -q -c qemu:///system list --all --uuid 2>/dev/null); do
    case $u in *[!0-9a-f-]*) continue;; esac
    d_cmds="$d_cmds echo '$nl@@VP $N BEGIN dumpxml $u$nl'; dumpxml $u; echo '$nl@@VP $N END dumpxml $u 0$nl';"
    d_cmds="$d_cmds echo '$nl@@VP $N BEGIN domblkinfo $u$nl'; domblkinfo --all --domain $u; echo '$nl@@VP $N END domblkinfo $u 0$nl';"
    d_n=$((d_n+1))
    if [ "$d_n" -ge ${DUMPXML_BATCH} ]; then
      { e=$($V "$d_cmds" 2>&1 >&3 3>&-); } 3>&1
      d_err="$d_err$e"
      d_cmds=
      d_n=0
    fi
  done
  if [ -n "$d_cmds" ]; then
    { e=$($V "$d_cmds" 2>&1 >&3 3>&-); } 3>&1
    d_err="$d_err$e"
  fi
  if [ -n "$d_err" ]; then
    printf "%s@@VP %s BEGIN dumpxml.stderr%s%s%s@@VP %s END dumpxml.stderr 0%s" "$nl" "$N" "$nl" "$d_err" "$nl" "$N" "$nl"
  fi
}
pools_all() {
  p_err=
  p_cmds=
  p_n=0
  p_active=" $(echo $($V pool-list --uuid 2>/dev/null)) "
  for u in $($V pool-list --all --uuid 2>/dev/null); do
    case $u in *[!0-9a-f-]*) continue;; esac
    p_cmds="$p_cmds echo '$nl@@VP $N BEGIN pool $u$nl'; pool-dumpxml $u; echo '$nl@@VP $N END pool $u 0$nl';"
    case $p_active in *" $u "*) p_cmds="$p_cmds echo '$nl@@VP $N BEGIN volumes $u$nl'; vol-list --pool $u --details; echo '$nl@@VP $N END volumes $u 0$nl';";; esac
    p_n=$((p_n+1))
    if [ "$p_n" -ge ${DUMPXML_BATCH} ]; then
      { e=$($VT "$p_cmds" 2>&1 >&3 3>&-); } 3>&1
      p_err="$p_err$e"
      p_cmds=
      p_n=0
    fi
  done
  if [ -n "$p_cmds" ]; then
    { e=$($VT "$p_cmds" 2>&1 >&3 3>&-); } 3>&1
    p_err="$p_err$e"
  fi
  if [ -n "$p_err" ]; then
    printf "%s@@VP %s BEGIN pools.stderr%s%s%s@@VP %s END pools.stderr 0%s" "$nl" "$N" "$nl" "$p_err" "$nl" "$N" "$nl"
  fi
}
${STORAGE_FUNCTIONS}sec hostname uname -n
sec kernel uname -r
sec virsh-version $V version
sec capabilities $V capabilities
sec meminfo cat /proc/meminfo
sec cpuinfo sed "/^$/q" /proc/cpuinfo
sec files files
${MANAGER_SECTIONS}sec domain-state $V domstats --raw --state
sec autostart $V list --all --autostart --uuid
dumpxml_all
sec pool-list $VT pool-list --all --details
pools_all
${STORAGE_SECTIONS}printf "%s@@VP %s DONE%s" "$nl" "$N" "$nl"
`

export const DISCOVER_COMMAND = shellCommandFor(DISCOVER_SCRIPT)
