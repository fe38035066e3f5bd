#!/bin/bash
# PID 1 of a test guest after switch_root (host root read-only over 9p, this dir on /run/ck).
# Sets up /proc /sys /dev, loopback and the user-mode network (host = 10.0.2.2), runs
# /run/ck/job.sh with its output on the console, records its exit status in /run/ck/rc,
# the kernel log in /run/ck/dmesg.txt, and powers off.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /dev/pts /run/ck-log /run/ck-mnt /run/tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t devpts devpts /dev/pts
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname ck-guest
ip link set lo up
if ip link show eth0 >/dev/null 2>&1; then
	ip addr add 10.0.2.15/24 dev eth0
	ip link set eth0 up
	ip route add default via 10.0.2.2
fi
echo "ck-guest: $(uname -r) up after $(cut -d' ' -f1 /proc/uptime)s, running job"
rc=0
bash /run/ck/job.sh </dev/null || rc=$?
echo "ck-guest: job exited $rc after $(cut -d' ' -f1 /proc/uptime)s"
echo "$rc" >/run/ck/rc
dmesg >/run/ck/dmesg.txt 2>&1
sync
busybox poweroff -f
