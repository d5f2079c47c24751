import { describe, expect, it } from 'vitest';
import { expandSuite } from '../../src/suite/expand.ts';
import { guestShapes } from '../../src/suite/guest-shape.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { isHvbError } from '../../src/util/errors.ts';
import { workloads } from '../../src/workloads/registry.ts';

// The real workloads: whether a parameter may follow the vCPUs is a property of its schema.
const deps = { workloads, backends: ['native', 'tcg', 'kvm'] };
const FILE = 'suites/shape.ts';
const expand = (value: object) => expandSuite(resolveSuite(value, deps, FILE), deps, { source: FILE });

function problems(value: object): string[] {
  try {
    expand(value);
  } catch (e) {
    if (isHvbError(e) && e.code === 'suite-invalid') return e.message.split('\n');
    throw e;
  }
  throw new Error('expected the suite to be refused');
}

describe('the guest shape as matrix axes', () => {
  it('crosses vCPUs (slower) with memory (faster) inside each entry, the guest axes first in the id', () => {
    const cases = expand({
      name: 'shape',
      backends: ['native', 'tcg'],
      guest: { vcpus: [1, 2, 4], memoryMiB: [512, 2048] },
      workloads: [{ workload: 'cpu', params: { timeSec: 5 } }, { workload: 'boot' }],
    });
    expect(cases).toHaveLength(2 * 2 * 6);
    expect(cases.slice(0, 7).map((c) => c.id)).toEqual([
      'native/cpu/guest.vcpus=1,guest.memoryMiB=512,timeSec=5',
      'native/cpu/guest.vcpus=1,guest.memoryMiB=2048,timeSec=5',
      'native/cpu/guest.vcpus=2,guest.memoryMiB=512,timeSec=5',
      'native/cpu/guest.vcpus=2,guest.memoryMiB=2048,timeSec=5',
      'native/cpu/guest.vcpus=4,guest.memoryMiB=512,timeSec=5',
      'native/cpu/guest.vcpus=4,guest.memoryMiB=2048,timeSec=5',
      'native/boot/guest.vcpus=1,guest.memoryMiB=512',
    ]);
    expect(cases[3]!.guest).toEqual({ vcpus: 2, memoryMiB: 2048 });
    expect(cases.map((c) => c.id).filter((id, i, all) => all.indexOf(id) !== i)).toEqual([]);
  });

  it('keeps the ids and the resolved guest of a suite that gives single numbers', () => {
    const suite = resolveSuite({ name: 'one', guest: { vcpus: 2, memoryMiB: 1024 }, workloads: [{ workload: 'cpu', params: { threads: 2 } }] }, deps);
    expect(suite.guest).toEqual({ vcpus: 2, memoryMiB: 1024 });
    expect(suite).not.toHaveProperty('overcommit');
    const cases = expandSuite(suite, deps);
    expect(cases.map((c) => [c.id, c.guest])).toEqual([['tcg/cpu/threads=2', { vcpus: 2, memoryMiB: 1024 }]]);
  });

  it('shows only the fields written as arrays in the id, a one-value array included', () => {
    const cases = expand({ name: 'x', guest: { vcpus: [2], memoryMiB: 1024 }, workloads: [{ workload: 'boot' }] });
    expect(cases.map((c) => c.id)).toEqual(['tcg/boot/guest.vcpus=2']);
    expect(guestShapes({ vcpus: 1, memoryMiB: [512, 1024] }).map((s) => s.given)).toEqual([{ memoryMiB: 512 }, { memoryMiB: 1024 }]);
  });

  it("resolves a worker count written 'vcpus' per case, and the case records the number", () => {
    const cases = expand({
      name: 'follow',
      backends: ['native', 'tcg'],
      guest: { vcpus: [1, 2] },
      workloads: [
        { workload: 'cpu', params: { threads: 'vcpus', timeSec: 5 } },
        { workload: 'memory', params: { threads: 'vcpus' } },
        { workload: 'stream', params: { instances: 'vcpus' } },
      ],
    });
    const native = cases.filter((c) => c.backend === 'native');
    expect(native.map((c) => [c.id, c.guest.vcpus, c.params.threads ?? c.params.instances])).toEqual([
      ['native/cpu/guest.vcpus=1,threads=1,timeSec=5', 1, 1],
      ['native/cpu/guest.vcpus=2,threads=2,timeSec=5', 2, 2],
      ['native/memory/guest.vcpus=1,threads=1', 1, 1],
      ['native/memory/guest.vcpus=2,threads=2', 2, 2],
      ['native/stream/guest.vcpus=1,instances=1', 1, 1],
      ['native/stream/guest.vcpus=2,instances=2', 2, 2],
    ]);
    // Native runs the same thread counts as each guest shape.
    expect(cases.filter((c) => c.backend === 'tcg').map((c) => c.params.threads ?? c.params.instances)).toEqual(
      native.map((c) => c.params.threads ?? c.params.instances),
    );
  });

  it("follows with a single guest too: 'vcpus' is the suite's vCPU count", () => {
    const cases = expand({ name: 'x', guest: { vcpus: 3 }, workloads: [{ workload: 'cpu', params: { threads: 'vcpus' } }] });
    expect(cases.map((c) => [c.id, c.params.threads])).toEqual([['tcg/cpu/threads=3', 3]]);
  });

  it("refuses 'vcpus' for a parameter that is not a worker count, naming the ones that are", () => {
    expect(problems({ name: 'x', guest: { vcpus: [1, 2] }, workloads: [{ workload: 'cpu', params: { timeSec: 'vcpus' } }] })).toEqual([
      `${FILE}: workloads[0].params.timeSec: "vcpus" (the guest's vCPU count) is only taken by worker counts; workload cpu has threads`,
    ]);
    expect(
      problems({
        name: 'x',
        workloads: [
          { workload: 'boot', params: {} },
          { workload: 'disk', params: { runtimeSec: [5, 'vcpus'] } },
        ],
      }),
    ).toEqual([`${FILE}: workloads[1].params.runtimeSec[1]: "vcpus" (the guest's vCPU count) is only taken by worker counts; workload disk has none`]);
  });

  it('names the field and the value of a wrong shape, as for a single number', () => {
    expect(problems({ name: 'x', guest: { vcpus: [1, 0], memoryMiB: [] }, workloads: [{ workload: 'boot' }] })).toEqual([
      `${FILE}: guest.vcpus[1]: expected an integer from 1 to 255, received 0`,
      `${FILE}: guest.memoryMiB: expected a non-empty array of integers from 64 to 1048576, received []`,
    ]);
    expect(problems({ name: 'x', guest: { vcpus: [1, 2, 1] }, workloads: [{ workload: 'boot' }] })).toEqual([
      `${FILE}: guest.vcpus: expected each value at most once (1 is listed twice)`,
    ]);
    expect(problems({ name: 'x', overcommit: 'yes', workloads: [{ workload: 'boot' }] })).toEqual([
      `${FILE}: overcommit: expected true or false, received "yes"`,
    ]);
  });

  it('checks what each guest shape can honour: NIC queues beyond the smaller guest', () => {
    const lines = problems({ name: 'x', guest: { vcpus: [1, 4] }, workloads: [{ workload: 'net', params: { queues: 2 } }] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^suites\/shape\.ts: workloads\[0\]\.params\.queues: 2 NIC queue pairs need as many vCPUs, and the guest has 1 .*\(with guest\.vcpus=1, queues=2\)$/,
    );
  });

  it('counts the shapes in the size of the matrix', () => {
    const lines = problems({
      name: 'x',
      guest: { vcpus: [1, 2, 3, 4], memoryMiB: [512, 1024, 2048] },
      workloads: [{ workload: 'cpu', params: { timeSec: Array.from({ length: 900 }, (_, i) => i + 1) } }],
    });
    expect(lines[0]).toMatch(
      /the matrix has 10800 cases, more than the limit of 10000: backends 1 × guest shapes 12 × \(workloads\[0\] cpu: timeSec 900 = 900\)/,
    );
  });

  it('pins a vCPU axis: explicit CPUs for the largest guest, and no more than that is refused', () => {
    expect(resolveSuite({ name: 'x', guest: { vcpus: [1, 2] }, pinning: { vcpus: [1, 2, 3] }, workloads: [{ workload: 'boot' }] }, deps).pinning).toEqual({
      vcpus: [1, 2, 3],
    });
    expect(problems({ name: 'x', guest: { vcpus: [1, 4] }, pinning: { vcpus: [1, 2] }, workloads: [{ workload: 'boot' }] })).toEqual([
      `${FILE}: pinning.vcpus: expected a CPU for each vCPU of the largest guest: guest.vcpus goes up to 4, pinning.vcpus names 2`,
    ]);
  });
});
