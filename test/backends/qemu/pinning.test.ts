import { describe, expect, it } from 'vitest';
import { pinningArgvs, vcpuThreads } from '../../../src/backends/qemu/pinning.ts';
import type { QmpClient } from '../../../src/backends/qemu/qmp.ts';

const answering = (answer: unknown) => ({ execute: async (command: string) => (command === 'query-cpus-fast' ? answer : undefined) }) as unknown as QmpClient;

describe('QEMU pinning', () => {
  it('reads the vCPU threads from query-cpus-fast, in vCPU order', async () => {
    const qmp = answering([
      { 'cpu-index': 1, 'thread-id': 4102, target: 'x86_64' },
      { 'cpu-index': 0, 'thread-id': 4101, target: 'x86_64' },
    ]);
    expect(await vcpuThreads(qmp)).toEqual([
      { cpuIndex: 0, threadId: 4101 },
      { cpuIndex: 1, threadId: 4102 },
    ]);
    await expect(vcpuThreads(answering([{ 'cpu-index': 0 }]))).rejects.toThrow(/expected cpu-index and thread-id/);
  });

  it('pins every thread to the VMM CPUs first, then each vCPU thread to its CPU (argv arrays)', () => {
    const threads = [
      { cpuIndex: 0, threadId: 4101 },
      { cpuIndex: 1, threadId: 4102 },
    ];
    expect(pinningArgvs(4000, threads, { vcpus: [1, 2], vmm: [0, 3] })).toEqual([
      ['taskset', '--all-tasks', '--pid', '--cpu-list', '0,3', '4000'],
      ['taskset', '--pid', '--cpu-list', '1', '4101'],
      ['taskset', '--pid', '--cpu-list', '2', '4102'],
    ]);
  });

  it('gives one thread that runs several vCPUs (single-threaded TCG) all their CPUs', () => {
    const threads = [
      { cpuIndex: 0, threadId: 4101 },
      { cpuIndex: 1, threadId: 4101 },
    ];
    expect(pinningArgvs(4000, threads, { vcpus: [1, 2], vmm: [0] }).slice(1)).toEqual([['taskset', '--pid', '--cpu-list', '1,2', '4101']]);
  });

  it('refuses a pinning that does not name one CPU per vCPU thread', () => {
    expect(() => pinningArgvs(4000, [{ cpuIndex: 0, threadId: 4101 }], { vcpus: [1, 2], vmm: [0] })).toThrow(
      'QEMU runs 1 vCPU threads, the pinning names 2 vCPU CPUs (1,2)',
    );
  });
});
