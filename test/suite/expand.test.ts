import { describe, expect, it } from 'vitest';
import { caseId } from '../../src/suite/case-id.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { formatCaseList } from '../../src/suite/list.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { deps } from './fake-workloads.ts';

const expand = (value: unknown) => expandSuite(resolveSuite(value, deps), deps);

describe('expandSuite', () => {
  const cases = expand({
    name: 'order',
    backends: ['kvm', 'tcg'],
    repetitions: 5,
    warmup: 1,
    timeoutSec: 120,
    guest: { vcpus: 2 },
    workloads: [{ workload: 'cpu', params: { timeSec: [5, 10], threads: [1, 2] } }, { workload: 'boot' }, { workload: 'disk', params: { rw: 'randread' } }],
  });

  it('nests backends, then entries, then axes in written order with the last axis fastest', () => {
    expect(cases.map((c) => c.id)).toEqual([
      'kvm/cpu/threads=1,timeSec=5',
      'kvm/cpu/threads=2,timeSec=5',
      'kvm/cpu/threads=1,timeSec=10',
      'kvm/cpu/threads=2,timeSec=10',
      'kvm/boot',
      'kvm/disk/rw=randread',
      'tcg/cpu/threads=1,timeSec=5',
      'tcg/cpu/threads=2,timeSec=5',
      'tcg/cpu/threads=1,timeSec=10',
      'tcg/cpu/threads=2,timeSec=10',
      'tcg/boot',
      'tcg/disk/rw=randread',
    ]);
  });

  it('fills parameter defaults from the workload schema and copies the suite settings', () => {
    expect(cases[5]).toEqual({
      id: 'kvm/disk/rw=randread',
      backend: 'kvm',
      workload: 'disk',
      params: { rw: 'randread', bs: '4k', iodepth: 1, direct: true },
      guest: { vcpus: 2, memoryMiB: 512 },
      repetitions: 5,
      warmup: 1,
      timeoutSec: 120,
    });
  });

  it('leaves timeoutSec out when the suite does not set it', () => {
    const [only] = expand({ name: 'x', workloads: [{ workload: 'boot' }] });
    expect(only).not.toHaveProperty('timeoutSec');
  });

  it('gives each case its own guest object', () => {
    expect(cases[0]!.guest).not.toBe(cases[1]!.guest);
  });

  it('gives the same ids however the parameters are written', () => {
    const a = expand({ name: 'a', workloads: [{ workload: 'cpu', params: { threads: 4, timeSec: 1 } }] });
    const b = expand({ name: 'b', workloads: [{ workload: 'cpu', params: { timeSec: 1, threads: 4 } }] });
    expect(a.map((c) => c.id)).toEqual(b.map((c) => c.id));
  });

  it('crosses the xen backend with its guest types; other backends have none', () => {
    const xen = expandSuite(resolveSuite({ name: 'x', backends: ['tcg', 'xen'], xenTypes: ['pv', 'hvm'], workloads: [{ workload: 'boot' }] }, deps), deps);
    expect(xen.map((c) => [c.id, c.variant?.value])).toEqual([
      ['tcg/boot', undefined],
      ['xen:pv/boot', 'pv'],
      ['xen:hvm/boot', 'hvm'],
    ]);
  });

  it('refuses a backend the caller does not know, even for an already resolved suite', () => {
    const suite = resolveSuite({ name: 'x', backends: ['xen'], workloads: [{ workload: 'boot' }] }, deps);
    expect(() => expandSuite(suite, { ...deps, backends: ['tcg'] })).toThrow('suite x: backends[0]: unknown backend "xen"; known backends: tcg');
  });
});

describe('caseId', () => {
  it('sorts keys and quotes values that would be ambiguous', () => {
    expect(caseId('tcg', 'disk', { rw: 'read', bs: '4k' })).toBe('tcg/disk/bs=4k,rw=read');
    expect(caseId('tcg', 'x', { path: 'a/b', list: [1, 2], o: { b: 1, a: 2 }, s: '' })).toBe('tcg/x/list=[1,2],o={"a":2,"b":1},path="a/b",s=""');
    expect(caseId('native', 'boot', {})).toBe('native/boot');
  });
});

describe('formatCaseList', () => {
  it('prints one id per line and the total', () => {
    const cases = expand({ name: 'x', backends: ['tcg', 'kvm'], workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] });
    expect(formatCaseList(cases)).toBe(
      ['tcg/cpu/threads=1', 'tcg/cpu/threads=2', 'kvm/cpu/threads=1', 'kvm/cpu/threads=2', '4 cases × 10 repetitions = 40 runs'].join('\n'),
    );
  });

  it('counts warm-ups and uses the singular', () => {
    const cases = expand({ name: 'x', repetitions: 1, warmup: 1, workloads: [{ workload: 'boot' }] });
    expect(formatCaseList(cases)).toBe('tcg/boot\n1 case × 1 repetition = 1 run (+ 1 warm-up run)');
  });

  it('totals runs when repetitions differ between cases', () => {
    const cases = expand({ name: 'x', backends: ['tcg', 'kvm'], repetitions: 3, workloads: [{ workload: 'boot' }] });
    cases[1]!.repetitions = 10;
    expect(formatCaseList(cases).split('\n').at(-1)).toBe('2 cases, 13 runs');
  });
});
