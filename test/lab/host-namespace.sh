#!/bin/bash
# One lab host. Started by host.ts as
#   setsid unshare --mount --uts --propagation private nsenter --net=/run/netns/<ns> bash host-namespace.sh HOST DIR
# so it runs in a private mount namespace (these bind mounts vanish with its last process) inside
# the host's network namespace. It starts virtlogd and libvirtd (they daemonize and write their
# PID files), waits for libvirt's socket, then becomes sshd: this process's PID is sshd's.
set -euo pipefail
host=$1
dir=$2

hostname "$host"
# Private /run: libvirt's sockets land in $dir/run/libvirt, reachable from the root namespace.
mount --bind "$dir/run" /run
mkdir -p /run/libvirt /run/sshd
chmod 0755 /run/sshd
mount --bind "$dir/etc-libvirt" /etc/libvirt
mount --bind "$dir/var-lib-libvirt" /var/lib/libvirt
mount --bind "$dir/var-log-libvirt" /var/log/libvirt
mount --bind "$dir/var-cache-libvirt" /var/cache/libvirt
# debugfs at /sys/kernel/debug, as systemd mounts it on a real host (sys-kernel-debug.mount), in
# this namespace only: what VirtPilot reports of /sys/kernel/debug/kvm then does not depend on
# whether the machine's root namespace happens to have it mounted.
if grep -qw debugfs /proc/filesystems && ! mountpoint -q /sys/kernel/debug; then
  mount -t debugfs debugfs /sys/kernel/debug || echo "could not mount debugfs on /sys/kernel/debug" >&2
fi
# The test user exists only inside the lab hosts.
mount --bind "$dir/etc/passwd" /etc/passwd
mount --bind "$dir/etc/group" /etc/group
mount --bind "$dir/etc/shadow" /etc/shadow

/usr/sbin/virtlogd --daemon --pid-file "$dir/virtlogd.pid"
/usr/sbin/libvirtd --daemon --pid-file "$dir/libvirtd.pid"
for _ in $(seq 1 600); do
  [ -S /run/libvirt/libvirt-sock ] && [ -s "$dir/libvirtd.pid" ] && break
  sleep 0.05
done
[ -S /run/libvirt/libvirt-sock ] || { echo "libvirtd of $host did not create its socket in 30 s" >&2; exit 1; }

exec /usr/sbin/sshd -D -e -f "$dir/sshd_config"
