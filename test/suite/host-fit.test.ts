import { describe, expect, it } from 'vitest';
import { hostFitProblems, overcommitOf } from '../../src/suite/host-fit.ts';

const small = { name: 'local', cpus: 2, memoryMiB: 4096 };

describe('a guest against the size of its host', () => {
  it('fits up to as many vCPUs as the host has CPUs, and up to its memory', () => {
    expect(overcommitOf({ vcpus: 2, memoryMiB: 4096 }, small)).toBeUndefined();
    expect(overcommitOf({ vcpus: 3, memoryMiB: 512 }, small)).toBe('vcpus');
    expect(overcommitOf({ vcpus: 1, memoryMiB: 8192 }, small)).toBe('memory');
    expect(overcommitOf({ vcpus: 4, memoryMiB: 8192 }, small)).toBe('vcpus,memory');
    // A host that did not say its size is not held against the guest.
    expect(overcommitOf({ vcpus: 64, memoryMiB: 1 << 20 }, { name: 'x', cpus: 0, memoryMiB: 0 })).toBeUndefined();
  });

  it('refuses each value too large for a host once, at the field that sets it, with both numbers', () => {
    const suite = { guest: { vcpus: [1, 2, 4], memoryMiB: 8192 } };
    const placed = [1, 2, 4, 4].map((vcpus) => ({ guest: { vcpus, memoryMiB: 8192 }, host: small }));
    expect(hostFitProblems(suite, placed)).toEqual([
      { path: ['guest', 'vcpus', 2], message: '4 vCPUs are more than the 2 CPUs of host local; use fewer, or set overcommit: true to run them anyway' },
      {
        path: ['guest', 'memoryMiB'],
        message: '8192 MiB is more than the 4096 MiB of memory of host local; use less, or set overcommit: true to run it anyway',
      },
    ]);
  });

  it('names each host a value is too large for', () => {
    const big = { name: 'big', cpus: 64, memoryMiB: 262_144 };
    const placed = [
      { guest: { vcpus: 8, memoryMiB: 512 }, host: small },
      { guest: { vcpus: 8, memoryMiB: 512 }, host: big },
    ];
    expect(hostFitProblems({ guest: { vcpus: 8, memoryMiB: 512 } }, placed).map((p) => p.message)).toEqual([
      '8 vCPUs are more than the 2 CPUs of host local; use fewer, or set overcommit: true to run them anyway',
    ]);
  });

  it('lets every shape through when the suite allows overcommit', () => {
    expect(hostFitProblems({ guest: { vcpus: 16, memoryMiB: 512 }, overcommit: true }, [{ guest: { vcpus: 16, memoryMiB: 512 }, host: small }])).toEqual([]);
  });
});
