#!/bin/busybox sh
# hvbench guest agent: the initramfs /init.
#
# Reads its job from the kernel command line (hvb.job=<base64url>, or hvb.jobz= gzipped, see
# src/guest/protocol/job.ts), runs it, and writes framed lines to the console
# (see src/guest/protocol/frames.ts). Job words are split on spaces and run as an
# argument list; nothing from the job is ever evaluated by the shell. The guest
# powers off when the job ends, whether it succeeded or not.
#
# A `probe disk` or `probe nic` line finds the device the host attached (hvb-dev),
# reports it and its drivers in a `fact` frame, and lets later steps name it: a
# step word containing @disk or @nic has it replaced by /dev/<disk> or the
# interface name (plain text substitution, no evaluation).

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
set -f
# HVB_NATIVE=1: run on the host by the native backend (chroot, own mount and PID namespaces).
native=${HVB_NATIVE:-0}

mount -t proc proc /proc
if [ "$native" = 1 ]; then
	mount -t sysfs -o ro sysfs /sys
	# A private /dev with the usual character devices only: no host disk is reachable.
	mount -t tmpfs -o mode=0755 dev /dev
	mknod -m 666 /dev/null c 1 3
	mknod -m 666 /dev/zero c 1 5
	mknod -m 666 /dev/full c 1 7
	mknod -m 666 /dev/random c 1 8
	mknod -m 666 /dev/urandom c 1 9
	mount -t tmpfs -o mode=0755 run /run
	mount -t tmpfs -o mode=1777 tmp /tmp
else
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
fi
# POSIX shared memory (shm_open) for the tools that use it, e.g. cyclictest.
mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm
if [ "$native" = 1 ]; then
	# Frames go to stdout. A scratch disk (a host file) arrives as stdin: keep it as fd 9 for @disk.
	[ "${HVB_DISK:-}" = stdin ] && exec 9<&0
	exec </dev/null 2>&1
else
	exec </dev/console >/dev/console 2>&1
	# Kernel messages would interleave with frames on the console; keep them in dmesg
	# (what `dmesg -n 1` does, without a process: every fork costs under emulation).
	echo 1 >/proc/sys/kernel/printk
fi

nonce=""
frame() { echo "HVB $nonce $*"; }

poweroff_now() {
	[ "$native" = 1 ] && exit 0
	sync
	# Wait until the console has sent every frame: the kernel's last words ("reboot: Power
	# down", an emergency message no log level hides) would otherwise cut into the last
	# frames still queued. stty applies settings with TCSADRAIN; onlcr is already set.
	stty -F /dev/console onlcr 2>/dev/null
	poweroff -f
	echo o >/proc/sysrq-trigger
	while :; do sleep 60; done
}

# The background heartbeat loop (started after ready), stopped before the last frames.
heartbeat=""
stop_heartbeat() {
	[ -n "$heartbeat" ] && kill "$heartbeat" 2>/dev/null
	heartbeat=""
}

fail() {
	stop_heartbeat
	frame error "$*"
	echo "hvbench agent: $* (last kernel messages follow)"
	[ "$native" = 1 ] || dmesg | tail -n 40
	frame done
	poweroff_now
}

# clock: CLOCK_MONOTONIC in ns ("now at <ns> nsecs", the third line of /proc/timer_list),
# read without a process; empty when the kernel has no such file. The ready and done frames
# carry it, so the host can tell how far the guest's clock ran from its own.
read_clock() {
	clock=""
	[ -r /proc/timer_list ] && { read -r _ && read -r _ && read -r _ _ clock _; } </proc/timer_list
	case "$clock" in "" | *[!0-9]*) clock="" ;; esac
}

uptime_ms() {
	read -r up _ </proc/uptime
	frac=${up#*.}
	frac=${frac#0}
	echo $((${up%.*} * 1000 + frac * 10))
}

# --- decode the job -------------------------------------------------------------
job=""
if [ "$native" = 1 ]; then cmdline=${HVB_CMDLINE:-}; else read -r cmdline </proc/cmdline; fi
zipped=0
for word in $cmdline; do
	case "$word" in
		hvb.job=*) job=${word#hvb.job=} ;;
		hvb.jobz=*) job=${word#hvb.jobz=}; zipped=1 ;;
	esac
done
[ -n "$job" ] || { echo "hvbench agent: no hvb.job= on the kernel command line"; poweroff_now; }
case $((${#job} % 4)) in
	2) job="$job==" ;;
	3) job="$job=" ;;
esac
if [ "$zipped" = 1 ]; then
	echo "$job" | tr -- '-_' '+/' | base64 -d 2>/dev/null | gunzip -c >/run/hvb-job 2>/dev/null || { echo "hvbench agent: job is not gzipped base64url"; poweroff_now; }
else
	echo "$job" | tr -- '-_' '+/' | base64 -d >/run/hvb-job 2>/dev/null || { echo "hvbench agent: job is not base64url"; poweroff_now; }
fi
alive=""
count=""
hold=""
while read -r kind value _; do
	[ "$kind" = nonce ] && nonce=$value
	[ "$kind" = alive ] && alive=$value
	[ "$kind" = count ] && count=1
done </run/hvb-job
# The heartbeat the job asked for (seconds); a native agent is a host process, none there.
case "$alive" in "" | *[!0-9]*) alive="" ;; esac
[ "$native" = 1 ] && alive=""
[ -n "$nonce" ] || { echo "hvbench agent: job has no nonce"; poweroff_now; }

read -r up _ </proc/uptime
if [ "$native" = 1 ]; then
	# No guest kernel: report the seconds since this namespace's PID 1 (the agent) started.
	set -- $(cat /proc/1/stat)
	frac=${up#*.}
	ticks=$((${up%.*} * 100 + ${frac#0} - ${22}))
	up=$(printf '%d.%02d' $((ticks / 100)) $((ticks % 100)))
fi
read -r release </proc/sys/kernel/osrelease
read_clock
frame ready "uptime=$up" "kernel=$release" ${clock:+"clock=$clock"} ${alive:+"alive=$alive"}

# From ready to done, an `alive` frame every $alive seconds: the host tells a guest that hung
# (no frame for several periods) from one busy with a long step. One short line per period.
if [ -n "$alive" ]; then
	while sleep "$alive"; do frame alive; done &
	heartbeat=$!
fi

# The guest's own view of what it runs on, for every job: the hypervisor its kernel
# detected ("Hypervisor detected: X" in dmesg, spaces as _; none without that line) and its
# clock source. Natively the host's log may have lost that early line: unknown, not none.
plain() { head -n 1 | tr ' ' _ | tr -cd 'A-Za-z0-9_.,:/+-' | cut -c 1-64; }
hypervisor=$(dmesg 2>/dev/null | sed -n 's/.*Hypervisor detected: *//p' | plain)
[ -n "$hypervisor" ] || { [ "$native" = 1 ] && hypervisor=unknown || hypervisor=none; }
# A kernel that starts on its provisional TSC clock (tsc-early) moves to `tsc` once it has
# refined the rate, a second of its own jiffies after boot: under TCG often after the agent
# starts. The job waits for that move (at most 5 s), so that no step runs across it and the
# clock recorded is the one the steps ran on. Other clocks, and natively, no wait.
clocksource_file=/sys/devices/system/clocksource/clocksource0/current_clocksource
settle=0
while [ "$native" != 1 ] && [ "$(plain 2>/dev/null <$clocksource_file)" = tsc-early ] && [ $settle -lt 50 ]; do
	sleep 0.1
	settle=$((settle + 1))
done
clocksource=$(plain 2>/dev/null <$clocksource_file)
frame fact "hypervisor=$hypervisor" "clocksource=${clocksource:-unknown}"

# What the guest got, read back for the equivalence manifest (src/runner/manifest.ts): the
# CPUs online and those this process may use, the topology /proc/cpuinfo tells (sockets,
# siblings and cores of the first CPU), memory, and the kernel command line without the job
# (base64url: it holds spaces and =). Natively these are the host's, as the workload sees them.
read -r cpus_online </sys/devices/system/cpu/online
while read -r key value _; do
	case "$key" in Cpus_allowed_list:) cpus_allowed=$value ;; esac
done </proc/self/status
set -- $(awk -F': *' '/^physical id/ { p[$2] = 1 } /^siblings/ && s == "" { s = $2 } /^cpu cores/ && c == "" { c = $2 } END { n = 0; for (k in p) n++; print n + 0, s + 0, c + 0 }' /proc/cpuinfo)
while read -r key value _; do
	[ "$key" = MemTotal: ] && { mem_kib=$value; break; }
done </proc/meminfo
read -r kernel_cmdline </proc/cmdline
args=""
for word in $kernel_cmdline; do
	case "$word" in hvb.job=* | hvb.jobz=*) ;; *) args="${args:+$args }$word" ;; esac
done
on=guest
[ "$native" = 1 ] && on=host
frame fact "on=$on" "cpus_online=$cpus_online" "cpus_allowed=${cpus_allowed:-unknown}" "cpu_sockets=${1:-0}" "cpu_siblings=${2:-0}" "cpu_cores=${3:-0}" \
	"mem_kib=${mem_kib:-0}" "cmdline=$(printf %s "$args" | base64 -w 0 | tr -- '+/' '-_' | tr -d =)"

# --- run it ---------------------------------------------------------------------
load_module() {
	list=/lib/hvb/modules/$1
	[ -f "$list" ] || fail "kernel module $1 is not in the guest image"
	while read -r ko; do
		name=${ko##*/}
		name=${name%.ko}
		name=$(echo "$name" | tr - _)
		[ -d "/sys/module/$name" ] && continue
		insmod "$ko" || fail "insmod $ko failed"
	done <"$list"
}

disk_dev=""
nic_dev=""
[ "$native" = 1 ] && [ "${HVB_DISK:-}" = stdin ] && disk_dev=/proc/1/fd/9

# count_dirs <glob>: how many folders match (globbing is off elsewhere: set -f).
count_dirs() {
	set +f
	n=0
	for d in $1; do [ -d "$d" ] && n=$((n + 1)); done
	set -f
	echo "$n"
}

# A disk's queues as the guest sees them: hardware queues, requests per queue, the write
# cache its driver was offered, and the I/O scheduler chosen (the word in brackets).
queue_facts() {
	q=/sys/block/$1
	[ -d "$q" ] || return 0
	read -r nr <"$q/queue/nr_requests"
	read -r cache <"$q/queue/write_cache"
	read -r sched <"$q/queue/scheduler"
	case "$sched" in *"["*"]"*) sched=${sched#*"["} && sched=${sched%%"]"*} ;; esac
	echo "disk_mq=$(count_dirs "$q/mq/*")" "disk_nr_requests=$nr" "disk_write_cache=$(echo "$cache" | tr ' ' _)" "disk_scheduler=$sched"
}

# A NIC's receive and transmit queues as the guest sees them, and for a virtio NIC the
# feature bits it negotiated (its offloads: checksums, TSO, mergeable buffers, queues).
nic_queue_facts() {
	q=/sys/class/net/$1/queues
	[ -d "$q" ] || return 0
	echo "nic_rx_queues=$(count_dirs "$q/rx-*")" "nic_tx_queues=$(count_dirs "$q/tx-*")"
	features=""
	[ -r "/sys/class/net/$1/device/features" ] && read -r features <"/sys/class/net/$1/device/features"
	case "$features" in "" | *[!01]*) ;; *) echo "nic_features=$features" ;; esac
}

probe_device() {
	what=$1
	found=$(hvb-dev "$what" 2>&1) || fail "$(echo "$found" | tr '\n' ' ')"
	# hvb-dev prints: name drivers [sectors]; names and drivers come from sysfs.
	set -- $found
	case "$1" in "" | *[!A-Za-z0-9_.-]*) fail "hvb-dev printed an unexpected $what name" ;; esac
	case "$what" in
		disk)
			disk_dev=/dev/$1
			frame fact "disk=$1" "disk_drivers=$2" "disk_sectors=$3" $(queue_facts "$1")
			;;
		nic)
			nic_dev=$1
			frame fact "nic=$1" "nic_drivers=$2" $(nic_queue_facts "$1")
			;;
	esac
}

# A native agent's page faults so far, its own and those of the children it waited for
# (/proc/self/stat fields 10-13, read by the shell itself: `read` is a builtin, no process),
# and the context switches of the steps run so far (which /proc keeps for no waited-for
# child: busybox time reads them from wait4's rusage, see run_step); empty in a guest, where
# the host counts the VM's events.
nvcsw=0
nivcsw=0
untimed=""
faults() {
	faults=""
	[ "$native" = 1 ] || return 0
	read -r _ _ _ _ _ _ _ _ _ mi cmi ma cma _ </proc/self/stat || return 0
	faults="minflt=$((mi + cmi)) majflt=$((ma + cma)) nvcsw=$nvcsw nivcsw=$nivcsw"
}

# Runs a native step under busybox time, which waits for it with wait4 and writes its
# context switches (voluntary, involuntary: its whole waited-for tree) to a file; they are
# added to the totals. The step's status is kept as the shell would give it (128 + signal).
timed_step() {
	usage=/run/hvb-usage.$id
	busybox time -o "$usage" -f '%w %c' "$@"
	rc=$?
	w=""
	c=""
	while read -r first second rest; do
		case "$first" in
			Command) [ "$second" = terminated ] && rc=$((128 + ${rest##* })) ;;
			*) w=$first c=$second ;;
		esac
	done <"$usage"
	rm -f "$usage"
	case "$w:$c" in
		:* | *: | *[!0-9:]*) untimed=1 ;;
		*)
			nvcsw=$((nvcsw + w))
			nivcsw=$((nivcsw + c))
			;;
	esac
	return "$rc"
}

run_step() {
	id=$1
	shift
	# Replace @disk and @nic inside words (first occurrence per word), keeping the argument list.
	for word do
		case "$word" in
			*@disk*)
				[ -n "$disk_dev" ] || fail "step $id names @disk but the job probed no disk"
				word="${word%%@disk*}$disk_dev${word#*@disk}"
				;;
			*@nic*)
				[ -n "$nic_dev" ] || fail "step $id names @nic but the job probed no NIC"
				word="${word%%@nic*}$nic_dev${word#*@nic}"
				;;
		esac
		set -- "$@" "$word"
		shift
	done
	out=/run/hvb-out.$id
	# With `count` in the job, begin/ran bracket the command alone: the host counts the VM's
	# events in between (a native agent, itself a host process, reports its own page faults and
	# context switches).
	[ -z "$count" ] || { faults; frame begin "$id" $faults; }
	t0=$(uptime_ms)
	if [ -n "$count" ] && [ "$native" = 1 ]; then
		timed_step "$@" >"$out" 2>&1 </dev/null
	else
		"$@" >"$out" 2>&1 </dev/null
	fi
	rc=$?
	t1=$(uptime_ms)
	# Said here, not inside the step's redirection.
	[ -z "$untimed" ] || fail "step $id: busybox time did not report the step's context switches"
	[ -z "$count" ] || { faults; frame ran "$id" $faults; }
	base64 -w 192 "$out" | while read -r chunk; do frame out "$id" "$chunk"; done
	# Length and sha256 let the host tell output that crossed the console whole from output
	# that lost or changed a line on the way.
	sum=$(sha256sum <"$out")
	frame end "$id" "exit=$rc" "ms=$((t1 - t0))" "bytes=$(wc -c <"$out")" "sha256=${sum%% *}"
	[ "$rc" -eq 0 ] || fail "step $id exited with status $rc"
}

# A density case's start barrier (job line `barrier`): say so, then wait for the line
# `go <nonce>`, which the host writes once every guest of the case is waiting. A guest reads
# it on its console, whose echo goes off first so the line never comes back as output; a
# native run on fd 3, a pipe the native backend opens for it.
wait_go() {
	[ "$native" = 1 ] || stty -F /dev/console -echo 2>/dev/null
	frame fact "$1=waiting"
	while :; do
		if [ "$native" = 1 ]; then
			read -r word token <&3 || fail "the $1 input closed before go"
		else
			read -r word token </dev/console || fail "the console closed before the $1 go"
		fi
		[ "$word" = go ] && [ "$token" = "$nonce" ] && break
	done
}

while read -r kind rest; do
	case "$kind" in
		modules) [ "$native" = 1 ] || for m in $rest; do load_module "$m"; done ;;
		probe) for k in $rest; do probe_device "$k"; done ;;
		barrier) wait_go barrier ;;
		hold) hold=1 ;;
		step) run_step $rest ;;
	esac
done </run/hvb-job

stop_heartbeat
read_clock
frame done ${clock:+"clock=$clock"}
# A counted job's end hold (job line `hold`): the host reads the VM's counters once more for
# the last step, then writes `go <nonce>`. Natively the counts are the agent's own frames.
[ -z "$hold" ] || [ "$native" = 1 ] || wait_go hold
poweroff_now
