import { decodeJob, encodeJob } from '../../guest/protocol/job.ts';

/**
 * The native command line: the image's own static busybox measures the run (`time`:
 * user and system CPU of the whole tree, since every process in it is waited for), util-linux
 * `unshare` gives it private mount and PID namespaces, `chroot` enters the unpacked image
 * root, and busybox `env -i` starts the agent with a clean environment that carries the
 * job instead of a kernel command line:
 *
 *     <root>/bin/busybox time -o <usage> -f '%e %U %S %M' \
 *       unshare --mount --pid --fork --kill-child -- \
 *       chroot <root> /bin/busybox env -i HVB_NATIVE=1 HVB_CMDLINE=hvb.job=… /init
 *
 * The agent is PID 1 of its namespace: when it ends, every process it left is killed.
 * A case's scratch disk (a host file, model `host-file`) is opened by hvbench and given
 * as the run's stdin, with HVB_DISK=stdin: no host path needs to be visible in the root.
 */

/** busybox time format: elapsed s, user s, system s, largest resident set (KiB). */
export const USAGE_FORMAT = '%e %U %S %M';

export interface NativeArgvInput {
  /** Host path of the image's busybox (inside the unpacked root). */
  busybox: string;
  unshare: string;
  chroot: string;
  root: string;
  usageFile: string;
  /** What the agent reads instead of /proc/cmdline. */
  cmdline: string;
  /** The case's scratch disk is the run's stdin (a host file); the agent names it as @disk. */
  diskOnStdin?: boolean;
}

export function nativeArgv(o: NativeArgvInput): string[] {
  return [
    o.busybox,
    'time',
    '-o',
    o.usageFile,
    '-f',
    USAGE_FORMAT,
    o.unshare,
    '--mount',
    '--pid',
    '--fork',
    '--kill-child',
    '--',
    o.chroot,
    o.root,
    '/bin/busybox',
    'env',
    '-i',
    'HVB_NATIVE=1',
    `HVB_CMDLINE=${o.cmdline}`,
    ...(o.diskOnStdin ? ['HVB_DISK=stdin'] : []),
    '/init',
  ];
}

/**
 * The job for a native run: the `hvb.job=` word of the guest command line, without kernel
 * modules — a native run uses the host's kernel and drivers, and must never load the
 * guest's modules into it. Returns the modules left out, for the log.
 */
export function nativeJob(cmdline: string): { cmdline: string; droppedModules: string[] } {
  const job = decodeJob(cmdline);
  const droppedModules = job.command.modules ?? [];
  const { modules: _dropped, ...command } = job.command;
  return { cmdline: encodeJob({ ...job, command }), droppedModules };
}

export interface NativeUsage {
  wallS: number;
  cpuUserS: number;
  cpuSystemS: number;
  /** Largest resident set of any single process of the run (getrusage semantics), KiB. */
  peakRssKiB: number;
}

/**
 * busybox (up to at least 1.36) prints %M as ru_maxrss × (page size / 1024), taking the
 * KiB that Linux reports for pages; hvbench images are amd64, whose pages are 4 KiB.
 */
export const BUSYBOX_MAXRSS_FACTOR = 4;

/** Parses what `busybox time -f USAGE_FORMAT` wrote (a status line may come first). */
export function parseNativeUsage(text: string): NativeUsage | undefined {
  const last = text.trim().split('\n').at(-1) ?? '';
  const m = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(last.trim());
  if (!m) return undefined;
  return { wallS: Number(m[1]), cpuUserS: Number(m[2]), cpuSystemS: Number(m[3]), peakRssKiB: Number(m[4]) / BUSYBOX_MAXRSS_FACTOR };
}
