import { describe, expect, it } from 'vitest';
import { readCpuTopology, type CpuTopology } from '../../src/hosts/cpu-topology.ts';
import { pinningDim, pinningOf, pinningProblem, planPinning, readPinningTopology, type TopologyState } from '../../src/runner/pinning-plan.ts';
import { capturedTopology, sysfsHost } from '../hosts/fixtures/sysfs-host.ts';

const twoCpus = (): Promise<CpuTopology> => readCpuTopology(sysfsHost('local', capturedTopology('2cpu')));
const fourCores = (): Promise<CpuTopology> => readCpuTopology(sysfsHost('desk', capturedTopology('4c8t')));

describe('auto pinning from the host topology', () => {
  it("on this machine's 2 CPUs: the vCPU on CPU 1, the VMM on CPU 0", async () => {
    expect(planPinning('auto', 1, await twoCpus(), 'local')).toEqual({ vcpus: [1], vmm: [0] });
  });

  it('refuses a machine too small for it, with the numbers', async () => {
    expect(planPinning('auto', 2, await twoCpus(), 'local')).toEqual({
      refuse: "pinning 'auto' needs 3 physical cores (one per vCPU, 2, and one for CPU 0 and the VMM); host local has 2 (2 online CPUs)",
    });
    expect(planPinning('auto', 4, await fourCores(), 'desk')).toEqual({
      refuse: "pinning 'auto' needs 5 physical cores (one per vCPU, 4, and one for CPU 0 and the VMM); host desk has 4 (8 online CPUs)",
    });
  });

  it('takes one hyper-thread per core, away from CPU 0, the VMM on the cores that remain', async () => {
    const topology = await fourCores();
    expect(planPinning('auto', 1, topology, 'desk')).toEqual({ vcpus: [1], vmm: [2, 3] });
    expect(planPinning('auto', 2, topology, 'desk')).toEqual({ vcpus: [1, 2], vmm: [3] });
    expect(planPinning('auto', 3, topology, 'desk')).toEqual({ vcpus: [1, 2, 3], vmm: [0] });
  });
});

describe('explicit pinning', () => {
  it('keeps the CPUs named; the VMM on every other online CPU when not named', async () => {
    const topology = await fourCores();
    expect(planPinning({ vcpus: [2, 3], vmm: [1] }, 2, topology, 'desk')).toEqual({ vcpus: [2, 3], vmm: [1] });
    expect(planPinning({ vcpus: [2] }, 1, topology, 'desk')).toEqual({ vcpus: [2], vmm: [0, 1, 3, 4, 5, 6, 7] });
  });

  it('gives a guest of a vCPU axis the first CPUs named, as many as it has vCPUs (native: as many as its threads)', async () => {
    const topology = await fourCores();
    expect(planPinning({ vcpus: [2, 3, 4], vmm: [1] }, 1, topology, 'desk')).toEqual({ vcpus: [2], vmm: [1] });
    expect(planPinning({ vcpus: [2, 3, 4], vmm: [1] }, 3, topology, 'desk')).toEqual({ vcpus: [2, 3, 4], vmm: [1] });
    expect(planPinning({ vcpus: [2, 3] }, 1, topology, 'desk')).toEqual({ vcpus: [2], vmm: [0, 1, 3, 4, 5, 6, 7] });
  });

  it('refuses CPUs the host does not have online, and a VMM left without a CPU', async () => {
    expect(planPinning({ vcpus: [5] }, 1, await twoCpus(), 'local')).toEqual({ refuse: 'pinning names CPU 5, not online on host local (online: 0,1)' });
    expect(planPinning({ vcpus: [0, 1] }, 2, await twoCpus(), 'local')).toEqual({
      refuse: 'pinning gives every online CPU of host local (0,1) to the vCPUs and none to the VMM; name pinning.vmm',
    });
  });
});

describe('pinning at planning', () => {
  const state = (cpuTopology?: TopologyState) => ({ run: { config: { name: 'lab-kvm' } }, ...(cpuTopology ? { cpuTopology } : {}) });

  it('asks nothing of an unpinned suite', async () => {
    expect(planPinning(undefined, 1, undefined, 'h')).toBeUndefined();
    expect(planPinning('none', 1, undefined, 'h')).toBeUndefined();
    expect(pinningProblem({ suite: {} }, 4, state())).toBeUndefined();
    expect(pinningOf({}, 4, state())).toBeUndefined();
    const untouched = { run: { host: sysfsHost('h', {}) } };
    await readPinningTopology({ suite: { pinning: 'none' } }, untouched);
    expect(untouched).not.toHaveProperty('cpuTopology');
  });

  it('skips the case with the reason when the topology could not be read', async () => {
    const s = { run: { host: sysfsHost('lab-kvm', {}), config: { name: 'lab-kvm' } } } as {
      run: { host: ReturnType<typeof sysfsHost>; config: { name: string } };
      cpuTopology?: TopologyState;
    };
    await readPinningTopology({ suite: { pinning: 'auto' } }, s);
    expect(pinningProblem({ suite: { pinning: 'auto' } }, 1, s)).toMatch(
      /^pinning needs the CPU topology of host lab-kvm, which could not be read: cannot read \/sys\/devices\/system\/cpu\/online on lab-kvm/,
    );
    expect(() => pinningOf({ suite: { pinning: 'auto' } }, 1, s)).toThrow(/pinning needs the CPU topology/);
  });

  it('gives the pinning of a case whose host fits', async () => {
    expect(pinningProblem({ suite: { pinning: 'auto' } }, 1, state(await twoCpus()))).toBeUndefined();
    expect(pinningOf({ suite: { pinning: 'auto' } }, 1, state(await twoCpus()))).toEqual({ vcpus: [1], vmm: [0] });
  });
});

it('records the pinning as a dimension value', () => {
  expect(pinningDim({ vcpus: [1], vmm: [0] })).toBe('vcpus=1;vmm=0');
  expect(pinningDim({ vcpus: [1, 2], vmm: [3, 4] })).toBe('vcpus=1,2;vmm=3,4');
});
