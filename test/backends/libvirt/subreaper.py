"""Runs a command as the child of a subreaper that reaps every orphan below it at once.

libvirtd daemonizes the QEMU processes it starts, so they are orphans; once one exits,
libvirtd waits until its pid is gone. Under an init that does not reap promptly (a container's)
that wait stalls every define and destroy. Under this wrapper the orphans are reaped here.
SIGTERM and SIGINT are passed on to the command; the wrapper exits with it.
"""
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("cannot become a subreaper")
child = os.fork()
if child == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
for sig in (signal.SIGTERM, signal.SIGINT):
    signal.signal(sig, lambda s, _f: os.kill(child, s))
while True:
    try:
        pid, status = os.wait()
    except ChildProcessError:
        sys.exit(0)
    except InterruptedError:
        continue
    if pid == child:
        sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)
