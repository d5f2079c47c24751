import { describe, expect, it } from 'vitest';
import { caseManifest, changedFields, manifestDifferences, manifestHash, recordReading } from '../../src/results/manifest.ts';

const guest = {
  cpus: '2',
  topology: 'sockets=1,cores=2,threads=1',
  memory_kib: '1000000',
  cmdline: 'quiet panic=-1',
  clocksource: 'tsc',
  image: 'abc',
  disk_cache: 'none',
};

describe('manifest hash', () => {
  it('is the same whatever the key order, and changes with any value', () => {
    const reversed = Object.fromEntries(Object.entries(guest).reverse());
    expect(manifestHash(reversed)).toBe(manifestHash(guest));
    expect(manifestHash(guest)).toMatch(/^[0-9a-f]{16}$/);
    expect(manifestHash({ ...guest, cpus: '4' })).not.toBe(manifestHash(guest));
    expect(Object.keys(caseManifest(reversed).fields)).toEqual(Object.keys(guest).sort());
  });
});

describe('readings of one case', () => {
  it('keeps the first reading and names the fields of a boot that differs', () => {
    const first = recordReading(undefined, guest, { rep: 1, warmup: true });
    expect(first.changed).toBeUndefined();
    expect(recordReading(first, { ...guest }, { rep: 1, warmup: false })).toBe(first);
    const second = recordReading(first, { ...guest, clocksource: 'hpet', cpus: '1' }, { rep: 2, warmup: false });
    expect(second.hash).toBe(first.hash);
    expect(second.changed).toEqual([
      { rep: 2, warmup: false, hash: manifestHash({ ...guest, clocksource: 'hpet', cpus: '1' }), fields: ['clocksource', 'cpus'] },
    ]);
  });

  it('counts a field read in one reading only as changed', () => {
    expect(changedFields({ a: '1' }, { a: '1', b: '2' })).toEqual(['b']);
  });
});

describe('differences between the sides of a comparison', () => {
  it('flags must-match fields and lists by-nature ones between two backends', () => {
    const diffs = manifestDifferences({ variant: 'kvm', fields: guest }, { variant: 'tcg', fields: { ...guest, cpus: '4', clocksource: 'kvm-clock' } });
    expect(diffs.map((d) => [d.field, d.kind])).toEqual([
      ['clocksource', 'nature'],
      ['cpus', 'must-match'],
    ]);
    expect(diffs[1]).toMatchObject({ a: '2', b: '4', label: expect.stringMatching(/CPUs/) });
  });

  it('between two sides of the same backend every field must match', () => {
    const diffs = manifestDifferences({ variant: 'kvm', fields: guest }, { variant: 'kvm', fields: { ...guest, clocksource: 'hpet' } });
    expect(diffs).toEqual([expect.objectContaining({ field: 'clocksource', kind: 'must-match' })]);
  });

  it('takes memory within a few percent as the same, and a field read on one side only as unknown', () => {
    const other = { ...guest, memory_kib: '1020000' };
    delete (other as Partial<typeof guest>).disk_cache;
    expect(manifestDifferences({ variant: 'kvm', fields: guest }, { variant: 'xen', fields: other })).toEqual([]);
    expect(manifestDifferences({ variant: 'kvm', fields: guest }, { variant: 'xen', fields: { ...guest, memory_kib: '2000000' } })).toEqual([
      expect.objectContaining({ field: 'memory_kib', kind: 'must-match' }),
    ]);
  });

  it('against the host (native) only the CPUs and the image must match', () => {
    const host = { on: 'host', cpus: '2', topology: 'sockets=1,cores=8,threads=2', memory_kib: '64000000', cmdline: 'root=/dev/sda1', image: 'abc' };
    const diffs = manifestDifferences({ variant: 'native', fields: host }, { variant: 'kvm', fields: { ...guest, on: 'guest' } });
    expect(diffs.every((d) => d.kind === 'nature')).toBe(true);
    expect(diffs.map((d) => d.field)).toEqual(['cmdline', 'memory_kib', 'on', 'topology']);
    const more = manifestDifferences({ variant: 'native', fields: { ...host, cpus: '8' } }, { variant: 'kvm', fields: { ...guest, on: 'guest' } });
    expect(more.filter((d) => d.kind === 'must-match').map((d) => d.field)).toEqual(['cpus']);
  });
});
