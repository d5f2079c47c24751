import { describe, expect, it } from 'vitest';
import { densityFitProblems, densityNeedMiB, memAvailableMiB, VMM_OVERHEAD_MIB } from '../../src/suite/density-fit.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { loadSuite } from '../../src/suite/load.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { isHvbError } from '../../src/util/errors.ts';
import { workloads } from '../../src/workloads/registry.ts';

const deps = { workloads, backends: ['native', 'tcg'] };
const FILE = 'suites/density.ts';
const resolve = (value: object) => resolveSuite(value, deps, FILE);
const expand = (value: object) => expandSuite(resolve(value), deps, { source: FILE });

function problems(value: object): string[] {
  try {
    expand(value);
  } catch (e) {
    if (isHvbError(e) && e.code === 'suite-invalid') return e.message.split('\n');
    throw e;
  }
  throw new Error('expected the suite to be refused');
}

describe('guests: N in a workload entry', () => {
  it('expands an axis of guest counts inside each combination, named in the id after the guest axes', () => {
    const cases = expand({
      name: 'density',
      backends: ['native', 'tcg'],
      guest: { vcpus: [1, 2] },
      workloads: [{ workload: 'cpu', params: { timeSec: 5 }, guests: [1, 2] }, { workload: 'boot' }],
    });
    expect(cases.map((c) => c.id)).toEqual([
      'native/cpu/guest.vcpus=1,guests=1,timeSec=5',
      'native/cpu/guest.vcpus=1,guests=2,timeSec=5',
      'native/cpu/guest.vcpus=2,guests=1,timeSec=5',
      'native/cpu/guest.vcpus=2,guests=2,timeSec=5',
      'native/boot/guest.vcpus=1',
      'native/boot/guest.vcpus=2',
      'tcg/cpu/guest.vcpus=1,guests=1,timeSec=5',
      'tcg/cpu/guest.vcpus=1,guests=2,timeSec=5',
      'tcg/cpu/guest.vcpus=2,guests=1,timeSec=5',
      'tcg/cpu/guest.vcpus=2,guests=2,timeSec=5',
      'tcg/boot/guest.vcpus=1',
      'tcg/boot/guest.vcpus=2',
    ]);
    expect(cases.map((c) => c.guests)).toEqual([1, 2, 1, 2, undefined, undefined, 1, 2, 1, 2, undefined, undefined]);
    expect(cases.find((c) => c.workload === 'boot')).not.toHaveProperty('guests');
  });

  it('takes one count as a one-value axis, and keeps it in the resolved suite', () => {
    const suite = resolve({ name: 'd', workloads: [{ workload: 'cpu', guests: 4 }] });
    expect(suite.workloads[0]).toEqual({ workload: 'cpu', params: {}, guests: [4] });
    expect(expand({ name: 'd', workloads: [{ workload: 'cpu', guests: 4 }] }).map((c) => [c.id, c.guests])).toEqual([['tcg/cpu/guests=4', 4]]);
    expect(resolve({ name: 'd', workloads: [{ workload: 'cpu' }] }).workloads[0]).not.toHaveProperty('guests');
  });

  it('lets the same workload run alone and as a density case, but not the same counts twice', () => {
    expect(expand({ name: 'd', workloads: [{ workload: 'cpu' }, { workload: 'cpu', guests: 2 }] }).map((c) => c.id)).toEqual(['tcg/cpu', 'tcg/cpu/guests=2']);
    expect(
      problems({
        name: 'd',
        workloads: [
          { workload: 'cpu', guests: 2 },
          { workload: 'cpu', guests: 2 },
        ],
      }),
    ).toEqual([`${FILE}: workloads[1]: cpu with its defaults repeats workloads[0] (same parameters once defaults are filled in); remove one`]);
  });

  it('names a noisy neighbour after the guest count, and refuses one without two guests or more', () => {
    const cases = expand({
      name: 'd',
      workloads: [
        { workload: 'cpu', guests: [2, 4] },
        { workload: 'cpu', guests: [2, 4], neighbour: 'stress' },
      ],
    });
    expect(cases.map((c) => [c.id, c.neighbour])).toEqual([
      ['tcg/cpu/guests=2', undefined],
      ['tcg/cpu/guests=4', undefined],
      ['tcg/cpu/guests=2,neighbour=stress', 'stress'],
      ['tcg/cpu/guests=4,neighbour=stress', 'stress'],
    ]);
    expect(problems({ name: 'd', workloads: [{ workload: 'cpu', guests: [1, 2], neighbour: 'stress' }] })).toEqual([
      `${FILE}: workloads[0].neighbour: expected guests of 2 or more with a neighbour (guest 0 is the neighbour, the others are measured); guests is [1,2]`,
    ]);
    expect(problems({ name: 'd', workloads: [{ workload: 'cpu', neighbour: 'stress' }] })[0]).toMatch(/guests is not set$/);
  });

  it.each([
    [0, 'workloads[0].guests: expected an integer from 1 to 64, received 0'],
    [65, 'workloads[0].guests: expected an integer from 1 to 64, received 65'],
    [[1, 1], 'workloads[0].guests: expected each value at most once (1 is listed twice)'],
  ])('refuses guests: %j', (guests, message) => {
    const found = problems({ name: 'd', workloads: [{ workload: 'cpu', guests }] });
    expect(
      found.some((p) => p.includes(message)),
      found.join('\n'),
    ).toBe(true);
  });

  it('counts the guest axis in the matrix size', () => {
    const found = problems({
      name: 'd',
      backends: ['native', 'tcg'],
      workloads: [
        { workload: 'cpu', params: { maxPrime: Array.from({ length: 100 }, (_, i) => 100 + i) }, guests: Array.from({ length: 64 }, (_, i) => i + 1) },
      ],
    });
    expect(found.join('\n')).toMatch(
      /the matrix has 12800 cases, more than the limit of 10000: backends 2 × \(workloads\[0\] cpu: guests 64 × maxPrime 100 = 6400\)/,
    );
  });
});

describe('the shipped density suite', () => {
  it('runs sysbench cpu in 1 and 2 guests of 1 vCPU on every backend, and 2 with a noisy neighbour', async () => {
    const all = { workloads, backends: ['native', 'kvm', 'xen', 'tcg'] };
    const suite = await loadSuite(new URL('../../suites/density.ts', import.meta.url).pathname, all);
    const cases = expandSuite(suite, all);
    expect(cases.map((c) => [c.backend, c.workload, c.guests, c.guest.vcpus, c.neighbour])).toEqual(
      ['native', 'kvm', 'xen', 'tcg'].flatMap((b) => [
        [b, 'cpu', 1, 1, undefined],
        [b, 'cpu', 2, 1, undefined],
        [b, 'cpu', 2, 1, 'stress'],
      ]),
    );
  });
});

describe('the memory of a density case against its host', () => {
  const suite = { workloads: [{ workload: 'cpu', params: {}, guests: [1, 4] }] };
  const c = (guests: number, memoryMiB = 512) => ({ id: `tcg/cpu/guests=${guests}`, workload: 'cpu', guests, guest: { vcpus: 1, memoryMiB } });

  it('needs N guests of memory plus each VMM', () => {
    expect(densityNeedMiB(4, 512)).toBe(4 * (512 + VMM_OVERHEAD_MIB));
  });

  it('reads MemAvailable, not MemTotal, and 0 when absent', () => {
    expect(memAvailableMiB('MemTotal:        8000000 kB\nMemFree:  100 kB\nMemAvailable:    2048000 kB\n')).toBe(2000);
    expect(memAvailableMiB('MemTotal: 8000000 kB\n')).toBe(0);
  });

  it('refuses the guests that do not fit, with the numbers, at the entry of the count', () => {
    const host = { name: 'local', availableMiB: 2000 };
    expect(
      densityFitProblems(suite, [
        { c: c(1), host },
        { c: c(4), host },
      ]),
    ).toEqual([
      {
        path: ['workloads', 0, 'guests'],
        message:
          'case tcg/cpu/guests=4: 4 guests of 512 MiB need 2304 MiB with their VMMs (64 MiB each), more than the 2000 MiB host local has available; use fewer guests or less memory, or set overcommit: true to run them anyway',
      },
    ]);
  });

  it('lets them run with overcommit, or when the host did not say', () => {
    expect(densityFitProblems({ ...suite, overcommit: true }, [{ c: c(4), host: { name: 'local', availableMiB: 100 } }])).toEqual([]);
    expect(densityFitProblems(suite, [{ c: c(4), host: { name: 'local', availableMiB: 0 } }])).toEqual([]);
  });
});
