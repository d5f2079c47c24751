import { describe, expect, it } from 'vitest';
import { parseCpuList, readCpuTopology } from '../../src/hosts/cpu-topology.ts';
import { capturedTopology, sysfsHost } from './fixtures/sysfs-host.ts';

describe('CPU topology', () => {
  it('parses the kernel CPU list format', () => {
    expect(parseCpuList('0-3,8,10-11\n', 'online')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList('0', 'online')).toEqual([0]);
    expect(() => parseCpuList('0-x', 'online on h')).toThrow('expected a CPU list such as 0-3,8 in online on h, got "0-x"');
  });

  it('reads a 2-CPU machine through its Host', async () => {
    expect(await readCpuTopology(sysfsHost('local', capturedTopology('2cpu')))).toEqual({
      cpus: [
        { id: 0, pkg: 0, core: 0 },
        { id: 1, pkg: 0, core: 1 },
      ],
    });
  });

  it('reads the hyper-threads of one core as one core', async () => {
    const topology = await readCpuTopology(sysfsHost('desk', capturedTopology('4c8t')));
    expect(topology.cpus).toHaveLength(8);
    expect(topology.cpus.filter((c) => c.core === 1).map((c) => c.id)).toEqual([1, 5]);
  });

  it('names the file it could not read', async () => {
    const files = capturedTopology('2cpu');
    delete files['/sys/devices/system/cpu/cpu1/topology/core_id'];
    await expect(readCpuTopology(sysfsHost('lab-kvm', files))).rejects.toThrow(/cannot read \/sys\/devices\/system\/cpu\/cpu1\/topology\/core_id on lab-kvm/);
  });
});
