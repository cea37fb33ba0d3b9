/**
 * What discovery reads to learn that another cluster manager owns this host's VMs (libvirt and
 * Proxmox VE scripts alike, in the same exec): Proxmox VE HA and its scheduler settings, a
 * pacemaker cluster's VirtualDomain resources, and the marks an oVirt (VDSM) or OpenStack
 * nova-compute host leaves. The domains' own <metadata> comes with dumpxml. Read-only; nothing
 * from the host is put into a command. Parsed by linux/parse/managers.ts.
 *
 * VIRTPILOT_PVE_ETC (a folder standing in for /etc/pve) and VIRTPILOT_HOST_ROOT (a prefix for the
 * marker files) exist for the tests.
 */
export const MANAGER_FUNCTIONS = `manager_marks() {
  R=\${VIRTPILOT_HOST_ROOT:-}
  exists "$R"/etc/vdsm/vdsm.id "$R"/etc/vdsm/vdsm.conf "$R"/etc/nova/nova.conf "$R"/etc/kolla/nova-compute/nova.conf
  exists "$R"/var/lib/pacemaker/cib/cib.xml
  cat /proc/[0-9]*/comm 2>/dev/null | grep -x -E "nova-compute|vdsmd|supervdsmd|pacemakerd|pve-ha-crm|pve-ha-lrm" | sort -u | sed "s/^/process=/"
  return 0
}
pve_ha_files() {
  P=\${VIRTPILOT_PVE_ETC:-/etc/pve}
  for f in ha/resources.cfg datacenter.cfg; do
    [ -f "$P/$f" ] && sec "pve-file $f" cat "$P/$f"
  done
  return 0
}
crm_mon_xml() {
  if command -v timeout >/dev/null 2>&1; then T="timeout 10"; else T=; fi
  $T crm_mon -1 --output-as=xml 2>/dev/null || $T crm_mon -1 --as-xml
}
cib_resources() {
  if command -v timeout >/dev/null 2>&1; then timeout 10 cibadmin --query --scope resources; else cibadmin --query --scope resources; fi
}
pacemaker_state() {
  R=\${VIRTPILOT_HOST_ROOT:-}
  [ -e "$R"/var/lib/pacemaker/cib/cib.xml ] || return 0
  command -v crm_mon >/dev/null 2>&1 || return 0
  sec crm-mon crm_mon_xml
  sec cib-resources cib_resources
}
`

/** The manager sections, after the host's own (HOST_FILES_FUNCTIONS' `exists` is needed). */
export const MANAGER_SECTIONS = `sec manager-marks manager_marks
pve_ha_files
pacemaker_state
`
