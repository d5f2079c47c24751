#!/bin/busybox sh
# hvb-dev disk|nic [SECONDS]: names the one scratch disk or NIC the host attached, once its
# driver has bound, and the drivers on the way from it up to its bus, nearest first:
#
#     vda virtio_blk,virtio-pci 131072      (disk: name, drivers, size in 512-byte sectors)
#     eth0 virtio_net,virtio-pci            (NIC: name, drivers)
#
# Waits up to SECONDS (default 30) for exactly one such device: storage drivers probe
# asynchronously. Prints the reason on standard error and exits 1 when there is none, or
# more than one. Reads only sysfs; called by the agent (init.sh) for a job's `probe` line.

kind=$1
wait_s=${2:-30}

# The drivers bound from a sysfs device directory up to the root, comma-separated.
drivers_of() {
	dir=$(readlink -f "$1")
	chain=""
	while [ -n "$dir" ] && [ "$dir" != /sys/devices ] && [ "$dir" != / ]; do
		if [ -L "$dir/driver" ]; then
			d=$(readlink "$dir/driver")
			chain="$chain,${d##*/}"
		fi
		dir=${dir%/*}
	done
	echo "${chain#,}"
}

# Candidates: block devices that are not memory, loop or optical; network interfaces backed by a device.
candidates() {
	case "$kind" in
		disk)
			for path in /sys/block/*; do
				name=${path##*/}
				case "$name" in loop* | ram* | zram* | sr* | fd* | nbd* | dm-* | md*) continue ;; esac
				[ -e "$path/device" ] && echo "$name"
			done
			;;
		nic)
			for path in /sys/class/net/*; do
				[ -e "$path/device" ] && echo "${path##*/}"
			done
			;;
	esac
}

case "$kind" in
	disk) sysdir=/sys/block ;;
	nic) sysdir=/sys/class/net ;;
	*)
		echo "hvb-dev: expected disk or nic, got \"$kind\"" >&2
		exit 2
		;;
esac

tries=$((wait_s * 10))
while :; do
	found=$(candidates)
	count=$(echo "$found" | grep -c .)
	if [ "$count" -eq 1 ]; then
		chain=$(drivers_of "$sysdir/$found/device")
		if [ -n "$chain" ]; then
			if [ "$kind" = disk ]; then
				read -r sectors <"$sysdir/$found/size"
				echo "$found $chain $sectors"
			else
				echo "$found $chain"
			fi
			exit 0
		fi
	fi
	if [ "$count" -gt 1 ]; then
		echo "hvb-dev: expected one $kind, found $count:" $found >&2
		exit 1
	fi
	tries=$((tries - 1))
	if [ "$tries" -le 0 ]; then
		echo "hvb-dev: no $kind with a bound driver appeared within $wait_s s; drivers loaded:" $(cut -d' ' -f1 /proc/modules) >&2
		exit 1
	fi
	usleep 100000
done
