import { describe, expect, it } from 'vitest';
import { hostFacts, parseCpuinfo, parseOsRelease } from '../../src/results/host-facts.ts';

const CPUINFO = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
physical id\t: 0
core id\t\t: 0
flags\t\t: fpu vme svm hypervisor

processor\t: 1
model name\t: AMD EPYC 7B13
physical id\t: 0
core id\t\t: 0
flags\t\t: fpu vme svm hypervisor

processor\t: 2
model name\t: AMD EPYC 7B13
physical id\t: 0
core id\t\t: 1
flags\t\t: fpu vme svm hypervisor
`;

describe('parseCpuinfo', () => {
  it('reads the model, the physical cores and the flags', () => {
    const info = parseCpuinfo(CPUINFO);
    expect(info.model).toBe('AMD EPYC 7B13');
    expect(info.cores).toBe(2);
    expect([...info.flags].sort()).toEqual(['fpu', 'hypervisor', 'svm', 'vme']);
  });

  it('copes with an empty file', () => {
    expect(parseCpuinfo('')).toEqual({ flags: new Set() });
  });
});

describe('parseOsRelease', () => {
  it('reads PRETTY_NAME without quotes', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease('ID=x\n')).toBeUndefined();
  });
});

describe('hostFacts', () => {
  it('describes this machine', async () => {
    const facts = await hostFacts();
    expect(facts.name).toBe('local');
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.memoryMiB).toBeGreaterThan(0);
    expect(facts.kernel).not.toBe('');
    expect(['vmx', 'svm', 'none']).toContain(facts.virtualization);
  });
});
