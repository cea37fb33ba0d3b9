import { SCRIPT_PRELUDE, shellCommandFor } from '../linux/script-frame'
import { HOST_FILES_FUNCTIONS, STORAGE_FUNCTIONS, STORAGE_SECTIONS } from '../linux/host-reads'
import { MANAGER_FUNCTIONS, MANAGER_SECTIONS } from '../linux/manager-reads'

export const PVE_DISCOVER_FORMAT = 'pve-discover-1'

/**
 * Discovery of one Proxmox VE node in one exec, read-only, as root (pvesh and /etc/pve need it):
 * versions, the node name, CPU topology (lscpu -p), NUMA memory, the libvirt script's tuning
 * files, the storage definitions, every guest of the cluster (`pvesh get /cluster/resources`),
 * the configuration file of each guest on this node, and its storage: each storage's size and
 * use (`/nodes/localhost/storage`: pvesh resolves `localhost` to this node, so no name enters a
 * command), the guest volumes of each storage id storage.cfg defines (ids checked to be letters,
 * digits, dot, dash, underscore), and the filesystems and boot id (host-reads.ts).
 *
 * Guest configs are read from /etc/pve/qemu-server/<vmid>.conf (pmxcfs links it to this node's
 * own folder), the file `qm config` and the config API parse: one `cat` per guest instead of one
 * `pvesh`/`qm` process per guest, each of which starts the Proxmox Perl stack (around half a
 * second; not measured here, there is no Proxmox host). File names must be digits before they
 * are used; nothing read from the host is put into a command.
 *
 * HA resources and the scheduler settings that say Proxmox VE HA owns a guest: manager-reads.ts.
 *
 * The cluster's identity: its name (pmxcfs' .members) and the SHA-256 of its CA certificate
 * (pve-root-ca.pem, made when the cluster was created and shared by its nodes): two labs' clusters
 * may share every name, never that certificate.
 *
 * VIRTPILOT_PVE_ETC exists for the tests (a folder with qemu-server/ and storage.cfg).
 */
export const PVE_DISCOVER_SCRIPT = `${SCRIPT_PRELUDE}
printf "@@VP %s START ${PVE_DISCOVER_FORMAT}%s" "$N" "$nl"
E=\${VIRTPILOT_PVE_ETC:-/etc/pve}
${HOST_FILES_FUNCTIONS}${MANAGER_FUNCTIONS}numa_meminfo() {
  for f in /sys/devices/system/node/node[0-9]*/meminfo; do
    [ -r "$f" ] && grep "MemTotal:" "$f"
  done
  return 0
}
pve_contents() {
  [ -r "$E"/storage.cfg ] || return 0
  while IFS= read -r l; do
    case $l in [a-z]*:*) ;; *) continue;; esac
    s=\${l#*:}
    s=$(echo $s)
    case $s in ''|*[!A-Za-z0-9._-]*) continue;; esac
    sec "storage-content $s" pvesh get /nodes/localhost/storage/$s/content --content images --output-format json </dev/null
  done < "$E"/storage.cfg
}
${STORAGE_FUNCTIONS}qemu_configs() {
  for f in "$E"/qemu-server/*.conf; do
    [ -f "$f" ] || continue
    vmid=\${f##*/}
    vmid=\${vmid%.conf}
    case $vmid in ''|*[!0-9]*) continue;; esac
    sec "qemu-config $vmid" cat "$f"
  done
}
sec pveversion pveversion
sec nodename uname -n
sec kernel uname -r
sec qemu-version kvm --version
sec meminfo cat /proc/meminfo
sec cpuinfo sed "/^$/q" /proc/cpuinfo
sec lscpu lscpu -p=CPU,CORE,SOCKET,NODE
sec numa-meminfo numa_meminfo
sec files files
${MANAGER_SECTIONS}sec storage cat "$E"/storage.cfg
sec pve-members cat "$E"/.members
sec pve-ca sha256sum "$E"/pve-root-ca.pem
sec cluster-resources pvesh get /cluster/resources --type vm --output-format json
qemu_configs
sec node-storage pvesh get /nodes/localhost/storage --output-format json
pve_contents
${STORAGE_SECTIONS}printf "%s@@VP %s DONE%s" "$nl" "$N" "$nl"
`

export const PVE_DISCOVER_COMMAND = shellCommandFor(PVE_DISCOVER_SCRIPT)
