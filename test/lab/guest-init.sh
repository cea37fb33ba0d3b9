#!/bin/sh
# /init of the lab guests' busybox initramfs (built by guest-image.ts; runs as PID 1 in the guest).
# Kernel command line: vp.name=NAME (echoed in the markers), burn=N (N busy loops = N vCPUs of demand).
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
for m in $(cat /lib/modules/load-order); do insmod "/lib/modules/$m.ko" 2>/dev/null; done

name=unnamed
burn=0
for arg in $(cat /proc/cmdline); do
  case $arg in
    vp.name=*) name=${arg#vp.name=} ;;
    burn=*) burn=${arg#burn=} ;;
  esac
done

# Hot-plugged vCPUs and memory arrive offline in a guest without udev: online them.
(
  while :; do
    for c in /sys/devices/system/cpu/cpu*/online; do
      [ -f "$c" ] && [ "$(cat "$c")" = 0 ] && echo 1 > "$c"
    done 2>/dev/null
    for b in /sys/devices/system/memory/memory*/state; do
      [ "$(cat "$b")" = offline ] && echo online > "$b"
    done 2>/dev/null
    sleep 1
  done
) &

i=0
while [ "$i" -lt "$burn" ]; do
  (while :; do :; done) &
  i=$((i + 1))
done

echo "VIRTPILOT-GUEST-BOOTED name=$name uptime=$(cut -d' ' -f1 /proc/uptime)s cpus=$(nproc) burn=$burn"
while :; do
  echo "VIRTPILOT-GUEST-ALIVE name=$name uptime=$(cut -d' ' -f1 /proc/uptime)s cpus=$(grep -c ^processor /proc/cpuinfo) memtotal=$(grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2)kB"
  sleep 5
done
