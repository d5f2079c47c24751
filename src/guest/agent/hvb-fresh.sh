#!/bin/busybox sh
# hvb-fresh COMMAND [ARG...]: writes dirty data back and drops the guest's page, dentry and
# inode caches, then runs the command in its place (arguments passed as they are, never
# evaluated). Used so that each disk job starts from cold caches.
if [ $# -eq 0 ]; then
	echo "hvb-fresh: no command given" >&2
	exit 2
fi
sync
if ! echo 3 >/proc/sys/vm/drop_caches; then
	echo "hvb-fresh: cannot drop the page cache" >&2
	exit 1
fi
exec "$@"
