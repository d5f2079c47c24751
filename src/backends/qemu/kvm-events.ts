import type { Host } from '../../hosts/host.ts';
import { outsideNetns } from '../../network/netns-host.ts';
import { HvbError } from '../../util/errors.ts';
import type { EventCounts, EventSourceChoice } from '../common/backend.ts';
import { KVM_DEBUGFS, KVM_DEBUGFS_SOURCE, readKvmDebugfs } from './kvm-stats.ts';
import { PerfKvmRecorder } from './perf-kvm-record.ts';
import { PERF_KVM_STAT_SOURCE } from './perf-kvm-stat.ts';

/** Where a KVM VM's counters are read from, for as long as the VM runs. */
export interface KvmEventReader {
  read(): Promise<EventCounts>;
  /** Ends what reading needed running (perf); idempotent. */
  stop(): Promise<void>;
}

/**
 * Opens the source of a KVM VM's counters on QEMU's host (outside any network namespace:
 * `ip netns exec` hides debugfs and tracefs), at launch, before the guest's steps: KVM's
 * debugfs where it is mounted, else `perf kvm stat record` where perf is installed; `wanted`
 * (`run --count-events <source>`) takes that one or fails. With neither, every read says why.
 */
export function openKvmEvents(host: Host, vmmPid: number, dir: string, wanted?: EventSourceChoice): Promise<KvmEventReader> {
  // Counting must never cost the measurement: a source that cannot be opened leaves the VM running, each read saying why.
  return choose(host, vmmPid, dir, wanted).catch((error: unknown) => ({ read: () => Promise.reject(error), stop: () => Promise.resolve() }));
}

async function choose(host: Host, vmmPid: number, dir: string, wanted?: EventSourceChoice): Promise<KvmEventReader> {
  const outside = outsideNetns(host);
  const debugfs = wanted === PERF_KVM_STAT_SOURCE ? false : (await outside.exec(['test', '-d', KVM_DEBUGFS], { timeoutMs: 10_000 })).exitCode === 0;
  if (debugfs || wanted === KVM_DEBUGFS_SOURCE) return { read: () => readKvmDebugfs(outside, vmmPid), stop: () => Promise.resolve() };
  const perf = await outside.exec(['perf', '--version'], { timeoutMs: 10_000 }).catch(() => undefined);
  if (perf?.exitCode !== 0) {
    const why =
      wanted === undefined
        ? `${KVM_DEBUGFS} is missing on ${host.name} (debugfs not mounted) and perf is not installed there`
        : `perf is not installed on ${host.name}`;
    const reason = new HvbError('kvm-stats', `no KVM statistics: ${why}`, {
      hint: 'mount debugfs (mount -t debugfs debugfs /sys/kernel/debug) or install perf (Debian: apt-get install linux-perf), as root',
    });
    return { read: () => Promise.reject(reason), stop: () => Promise.resolve() };
  }
  return PerfKvmRecorder.start(outside, vmmPid, dir);
}
