import { HOST_FILES_FUNCTIONS } from '../linux/host-reads'
import { SCRIPT_PRELUDE, shellCommandFor } from '../linux/script-frame'

export const DISCOVER_FORMAT = 'discover-1'

/** Domains per virsh process: keeps each virsh argument far below Linux's 128 KiB per-argument limit. */
export const DUMPXML_BATCH = 100

/**
 * Discovery of one host in one exec: host facts, libvirt capabilities and versions, tuning
 * knobs, and the XML of every domain. Domains are addressed by the UUIDs libvirt lists, each
 * checked to be only hex digits and dashes before it is used, so no name ever reaches a shell;
 * the dumpxml calls run in batches inside one virsh process each, separated by virsh `echo`
 * markers that carry the nonce. Read-only: nothing is changed on the host.
 */
export const DISCOVER_SCRIPT = `${SCRIPT_PRELUDE}
printf "@@VP %s START ${DISCOVER_FORMAT}%s" "$N" "$nl"
V="virsh -q -c qemu:///system"
${HOST_FILES_FUNCTIONS}dumpxml_all() {
  d_err=
  d_cmds=
  d_n=0
  for u in $(virsh -q -c qemu:///system list --all --uuid 2>/dev/null); do
    case $u in *[!0-9a-f-]*) continue;; esac
    d_cmds="$d_cmds echo '$nl@@VP $N BEGIN dumpxml $u$nl'; dumpxml $u; echo '$nl@@VP $N END dumpxml $u 0$nl';"
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
sec hostname uname -n
sec kernel uname -r
sec virsh-version $V version
sec capabilities $V capabilities
sec meminfo cat /proc/meminfo
sec cpuinfo sed "/^$/q" /proc/cpuinfo
sec files files
sec domain-state $V domstats --raw --state
sec autostart $V list --all --autostart --uuid
dumpxml_all
printf "%s@@VP %s DONE%s" "$nl" "$N" "$nl"
`

export const DISCOVER_COMMAND = shellCommandFor(DISCOVER_SCRIPT)
