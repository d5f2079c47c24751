import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import type { VmSpec } from '../common/backend.ts';
import type { QmpClient } from './qmp.ts';
import type { QemuVm } from './running-vm.ts';

type Pinning = NonNullable<VmSpec['pinning']>;

/** How long one `taskset` on the VMM's host may take (over SSH: a busy lab is slow). */
const TASKSET_TIMEOUT_MS = 30_000;

/** One vCPU of a running QEMU and the host thread that runs it (`query-cpus-fast`). */
export interface VcpuThread {
  cpuIndex: number;
  threadId: number;
}

/** The vCPU threads of a running QEMU, in vCPU order, from QMP `query-cpus-fast`. */
export async function vcpuThreads(qmp: QmpClient): Promise<VcpuThread[]> {
  const answer = await qmp.execute<unknown>('query-cpus-fast');
  if (!Array.isArray(answer)) throw new HvbError('pinning-failed', `expected a list from QMP query-cpus-fast, got ${JSON.stringify(answer)}`);
  return answer
    .map((cpu: { 'cpu-index'?: unknown; 'thread-id'?: unknown }) => {
      const cpuIndex = cpu['cpu-index'];
      const threadId = cpu['thread-id'];
      if (typeof cpuIndex !== 'number' || typeof threadId !== 'number' || threadId <= 0) {
        throw new HvbError('pinning-failed', `expected cpu-index and thread-id in each answer of QMP query-cpus-fast, got ${JSON.stringify(cpu)}`);
      }
      return { cpuIndex, threadId };
    })
    .sort((a, b) => a.cpuIndex - b.cpuIndex);
}

/**
 * The `taskset` commands that pin a QEMU: first every thread of the process (main loop, I/O
 * threads, vCPUs) to the VMM's CPUs, then each vCPU thread to its own CPU. Threads QEMU
 * starts later (its thread pool's workers) inherit the affinity of the thread that starts
 * them, the main loop or an I/O thread: the VMM's CPUs. Under TCG without multi-threading
 * one thread runs every vCPU: it gets all their CPUs.
 */
export function pinningArgvs(pid: number, threads: readonly VcpuThread[], pinning: Pinning): string[][] {
  if (threads.length !== pinning.vcpus.length) {
    throw new HvbError(
      'pinning-failed',
      `QEMU runs ${threads.length} vCPU threads, the pinning names ${pinning.vcpus.length} vCPU CPUs (${pinning.vcpus.join(',')})`,
    );
  }
  const byThread = new Map<number, number[]>();
  threads.forEach((t, i) => {
    const cpus = byThread.get(t.threadId) ?? [];
    cpus.push(pinning.vcpus[i]!);
    byThread.set(t.threadId, cpus);
  });
  return [
    ['taskset', '--all-tasks', '--pid', '--cpu-list', pinning.vmm.join(','), String(pid)],
    ...[...byThread].map(([tid, cpus]) => ['taskset', '--pid', '--cpu-list', cpus.join(','), String(tid)]),
  ];
}

/**
 * Pins a running QEMU's threads on its host (sched_setaffinity through `taskset`, here or
 * over SSH). On failure the VM is killed and an HvbError `pinning-failed` says which
 * command failed and what it printed: a pinned case never runs unpinned.
 */
export async function pinQemuVm(host: Host, vm: QemuVm, pinning: Pinning): Promise<void> {
  try {
    const qmp = vm.qmpClient;
    if (qmp === undefined || vm.pid === 0) throw new HvbError('pinning-failed', 'QEMU has no QMP connection or pid to pin its threads with');
    for (const argv of pinningArgvs(vm.pid, await vcpuThreads(qmp), pinning)) {
      const r = await host.exec(argv, { timeoutMs: TASKSET_TIMEOUT_MS });
      if (r.exitCode !== 0) {
        throw new HvbError('pinning-failed', `${argv.join(' ')} failed on ${host.name} (exit code ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`, {
          hint: 'taskset comes with util-linux (Debian: apt-get install util-linux); the CPUs must be online and allowed to hvbench (cgroup cpuset)',
        });
      }
    }
  } catch (error) {
    await vm.kill(`pinning failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
}
