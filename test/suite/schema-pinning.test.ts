import { describe, expect, it } from 'vitest';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { isHvbError } from '../../src/util/errors.ts';
import { deps } from './fake-workloads.ts';

const FILE = 'suites/pinned.ts';
const ok = { name: 'pinned', workloads: [{ workload: 'cpu' }] };

function problems(value: unknown): string[] {
  try {
    resolveSuite(value, deps, FILE);
  } catch (e) {
    if (isHvbError(e) && e.code === 'suite-invalid') return e.message.split('\n');
    throw e;
  }
  throw new Error('expected the suite to be refused');
}

describe('the pinning field', () => {
  it('is absent from a resolved suite that does not name it, so older runs resume', () => {
    expect(resolveSuite(ok, deps, FILE)).not.toHaveProperty('pinning');
  });

  it("keeps 'none', 'auto' and an explicit pinning", () => {
    expect(resolveSuite({ ...ok, pinning: 'none' }, deps).pinning).toBe('none');
    expect(resolveSuite({ ...ok, pinning: 'auto' }, deps).pinning).toBe('auto');
    expect(resolveSuite({ ...ok, guest: { vcpus: 2 }, pinning: { vcpus: [1, 2], vmm: [0] } }, deps).pinning).toEqual({ vcpus: [1, 2], vmm: [0] });
  });

  it('refuses one CPU count per vCPU that does not match the guest, shared CPUs and repeated CPUs', () => {
    expect(problems({ ...ok, pinning: { vcpus: [1, 2] } })).toEqual([
      `${FILE}: pinning.vcpus: expected one CPU per vCPU: the guest has 1, pinning.vcpus names 2`,
    ]);
    expect(problems({ ...ok, pinning: { vcpus: [1], vmm: [0, 1] } })).toEqual([
      `${FILE}: pinning.vmm: expected the VMM's CPUs apart from the vCPUs' (both name 1)`,
    ]);
    expect(problems({ ...ok, guest: { vcpus: 2 }, pinning: { vcpus: [1, 1] } })).toEqual([`${FILE}: pinning.vcpus: expected each CPU at most once`]);
  });

  it('says what it expects of a wrong value', () => {
    expect(problems({ ...ok, pinning: 'yes' })[0]).toMatch(
      /^suites\/pinned\.ts: pinning: expected 'none', 'auto' or \{ vcpus: \[CPU per vCPU\], vmm\?: \[CPUs\] \}/,
    );
  });
});
