#!/bin/busybox sh
# hvbench lab host: the initramfs /init of the KVM lab and of the Xen lab's dom0.
#
# Mounts, loads the lab's drivers, configures eth0 for QEMU user networking, makes a fresh
# dropbear host key and prints its public half on the console as a framed line
# (`HVBLAB <nonce> hostkey <type> <key>`) so that hvbench can pin it, installs the client's
# public key, starts dropbear (key authentication only) and prints `HVBLAB <nonce> ready`.
# The nonce and the client key arrive in a small per-boot archive that hvbench appends to
# the initramfs (/etc/hvb-lab/nonce, /etc/hvb-lab/authorized_keys).

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# debugfs: KVM's per-VM event counters (/sys/kernel/debug/kvm/<pid>-<fd>/) for run --count-events.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=0755 run /run
# What udev would add to /dev: Xen's hotplug scripts lock with `stat -L /dev/stdin`.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
exec </dev/console >/dev/console 2>&1

lab=$(cat /etc/hvb-lab/lab)
nonce=$(cat /etc/hvb-lab/nonce 2>/dev/null)
frame() { echo "HVBLAB $nonce $*"; }
fail() {
	frame error "$*"
	echo "hvbench lab: $* (last kernel messages follow)"
	dmesg | tail -n 30
	# Keep the console alive for a look; hvbench sees the error frame and stops the VM.
	exec sh
}
[ -n "$nonce" ] || fail "no /etc/hvb-lab/nonce: boot the lab with its per-boot archive"

# insmod each module of a load list (dependencies first); parameters go to the last one.
load() {
	name=$1
	shift
	list=/lib/hvb-lab/modules/$name
	[ -f "$list" ] || fail "module $name is not in the image"
	last=$(tail -n 1 "$list")
	while read -r ko; do
		[ -n "$ko" ] || continue
		mod=${ko##*/}
		mod=$(echo "${mod%.ko}" | tr - _)
		grep -q "^$mod " /proc/modules && continue
		if [ "$ko" = "$last" ]; then
			insmod "$ko" "$@" || fail "insmod $ko $* failed"
		else
			insmod "$ko" || fail "insmod $ko failed"
		fi
	done <"$list"
}

mkdir -p /var/tmp /var/lock /var/log /var/lib /run/lock
case $lab in
kvm)
	# Guest images are copied to /var/tmp: give it room (RAM-backed).
	mount -t tmpfs -o mode=1777,size=1536m vartmp /var/tmp
	load kvm_amd nested=1 npt=1
	[ -c /dev/kvm ] || fail "/dev/kvm did not appear after loading kvm_amd"
	load tun
	load bridge
	# vhost_net: /dev/vhost-net, so net cases can ask for vhost on or off under KVM.
	load vhost_net
	load virtio_blk
	# /tmp on the lab's own disk (ext4, made by hvbench before the boot): the scratch disks of
	# cases go to a temporary folder, and QEMU opens them with O_DIRECT (cache=none), which
	# tmpfs refuses on this kernel.
	load crc32c_generic
	load ext4
	load virtio_pci
	i=0
	while [ ! -b /dev/vda ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "the scratch disk /dev/vda did not appear within 10 s"
		sleep 0.1
	done
	mkdir -p /tmp
	mount -t ext4 -o noatime /dev/vda /tmp || fail "cannot mount the scratch disk /dev/vda (ext4) on /tmp"
	chmod 1777 /tmp
	;;
xen)
	mount -t tmpfs -o mode=1777,size=512m vartmp /var/tmp
	# tun: the device model's tap for an HVM guest's emulated NIC (vifN.M-emu).
	for m in xenfs xen_privcmd xen_evtchn xen_gntdev xen_gntalloc xen_blkback xen_netback loop bridge tun; do load "$m"; done
	mkdir -p /proc/xen /var/lib/xen /var/log/xen/console /run/xen /run/xenstored
	mount -t xenfs xenfs /proc/xen || fail "cannot mount xenfs: is this dom0 under Xen?"
	xenstored --pid-file=/run/xenstored.pid || fail "xenstored did not start"
	i=0
	while [ ! -S /run/xenstored/socket ]; do
		i=$((i + 1))
		[ $i -le 300 ] || fail "xenstored made no socket in 30 s"
		sleep 0.1
	done
	xen-init-dom0 || fail "xen-init-dom0 failed"
	xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console || fail "xenconsoled did not start"
	;;
*) fail "unknown lab kind '$lab'" ;;
esac

# eth0 on QEMU's user network: static, as QEMU's DHCP server would hand out.
load virtio_pci
load virtio_net
i=0
while [ ! -e /sys/class/net/eth0 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "no eth0 appeared within 10 s"
	sleep 0.1
done
hostname "lab-$lab"
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2

# SSH: a fresh host key every boot, its public half framed for hvbench to pin.
mkdir -p /etc/dropbear /root/.ssh
chmod 700 /etc/dropbear /root /root/.ssh
hostkey=/etc/dropbear/dropbear_ed25519_host_key
dropbearkey -t ed25519 -f "$hostkey" >/dev/null 2>&1 || fail "dropbearkey could not make a host key"
pub=$(dropbearkey -y -f "$hostkey" | grep '^ssh-ed25519 ')
[ -n "$pub" ] || fail "dropbearkey printed no public key"
set -- $pub
frame hostkey "$1" "$2"
cp /etc/hvb-lab/authorized_keys /root/.ssh/authorized_keys || fail "no authorized key in the per-boot archive"
chmod 600 /root/.ssh/authorized_keys
# -s: no password logins; -E: log to stderr (kept in a file); -r: the key made above.
dropbear -s -E -r "$hostkey" -p 22 2>>/var/log/dropbear.log || fail "dropbear did not start"
frame ready "$(uname -r)"

# Stay PID 1: reap orphans, never return.
while :; do sleep 3600; done
