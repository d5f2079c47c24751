import { describe, expect, it } from 'vitest';
import { isHvbError } from '../../src/util/errors.ts';
import { DEFAULT_BACKENDS, DEFAULT_MEMORY_MIB, DEFAULT_REPETITIONS, DEFAULT_VCPUS, DEFAULT_WARMUP } from '../../src/suite/defaults.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { deps } from './fake-workloads.ts';

const FILE = 'suites/quick.ts';

/** The error lines a suite value produces (resolve, then expand, as loadSuite does). */
function problems(value: unknown): string[] {
  try {
    expandSuite(resolveSuite(value, deps, FILE), deps, { source: FILE });
  } catch (e) {
    if (isHvbError(e) && e.code === 'suite-invalid') return e.message.split('\n');
    throw e;
  }
  throw new Error('expected the suite to be refused');
}

const ok = { name: 'quick', workloads: [{ workload: 'cpu' }] };

describe('resolveSuite', () => {
  it('fills every default', () => {
    expect(resolveSuite(ok, deps, FILE)).toEqual({
      name: 'quick',
      description: '',
      guest: { vcpus: DEFAULT_VCPUS, memoryMiB: DEFAULT_MEMORY_MIB },
      backends: [...DEFAULT_BACKENDS],
      repetitions: DEFAULT_REPETITIONS,
      warmup: DEFAULT_WARMUP,
      interleave: true,
      xenTypes: ['pvh'],
      workloads: [{ workload: 'cpu', params: {} }],
    });
  });

  it('turns plain parameter values into one-value axes and keeps timeoutSec', () => {
    const suite = resolveSuite({ ...ok, timeoutSec: 90, guest: { vcpus: 2 }, workloads: [{ workload: 'cpu', params: { threads: [1, 2], timeSec: 5 } }] }, deps);
    expect(suite.workloads[0]!.params).toEqual({ threads: [1, 2], timeSec: [5] });
    expect(suite.timeoutSec).toBe(90);
    expect(suite.guest).toEqual({ vcpus: 2, memoryMiB: 512 });
  });

  it('takes countEvents as a switch or as the source to count with, and names the sources when it is neither', () => {
    expect(resolveSuite({ ...ok, countEvents: true }, deps, FILE).countEvents).toBe(true);
    expect(resolveSuite({ ...ok, countEvents: 'perf-kvm-stat' }, deps, FILE).countEvents).toBe('perf-kvm-stat');
    expect(problems({ ...ok, countEvents: 'perf' })).toContain(
      `${FILE}: countEvents: expected true or false or one of "kvm-debugfs", "perf-kvm-stat", received "perf"`,
    );
  });

  it('does not share the default backends array between suites', () => {
    resolveSuite(ok, deps).backends.push('kvm');
    expect(resolveSuite(ok, deps).backends).toEqual(['tcg']);
  });
});

describe('suite errors name the file, the field and what was expected and received', () => {
  const cases: [string, unknown, string[]][] = [
    ['not an object', 42, [`${FILE}: expected a suite object (export default defineSuite({ … })), received 42`]],
    [
      'missing required fields',
      {},
      [
        `${FILE}: name: missing; expected a name of lowercase letters, digits and dashes ([a-z0-9-]+, at most 64)`,
        `${FILE}: workloads: missing; expected a non-empty array of workload entries ({ workload, params })`,
      ],
    ],
    [
      'bad name',
      { ...ok, name: 'Quick Suite' },
      [`${FILE}: name: expected a name of lowercase letters, digits and dashes ([a-z0-9-]+, at most 64), received "Quick Suite"`],
    ],
    [
      'unknown top-level key',
      { ...ok, repetition: 5 },
      [
        `${FILE}: repetition: unknown field; known fields: name, description, guest, overcommit, countEvents, backends, repetitions, warmup, timeoutSec, maxRepetitions, targetCiHalfWidth, timeBudgetSec, stopMetric, interleave, pinning, compare, machines, xenTypes, hosts, workloads`,
      ],
    ],
    ['unknown guest key', { ...ok, guest: { cpus: 2 } }, [`${FILE}: guest.cpus: unknown field; known fields: vcpus, memoryMiB`]],
    ['guest memory too small', { ...ok, guest: { memoryMiB: 10 } }, [`${FILE}: guest.memoryMiB: expected an integer from 64 to 1048576, received 10`]],
    ['vcpus not an integer', { ...ok, guest: { vcpus: 1.5 } }, [`${FILE}: guest.vcpus: expected an integer from 1 to 255, received 1.5`]],
    ['vcpus as a string', { ...ok, guest: { vcpus: '2' } }, [`${FILE}: guest.vcpus: expected an integer from 1 to 255, received "2"`]],
    ['zero repetitions', { ...ok, repetitions: 0 }, [`${FILE}: repetitions: expected an integer from 1 to 1000, received 0`]],
    ['negative warmup', { ...ok, warmup: -1 }, [`${FILE}: warmup: expected an integer from 0 to 100, received -1`]],
    ['maxRepetitions below repetitions', { ...ok, repetitions: 5, maxRepetitions: 3 }, [`${FILE}: maxRepetitions: expected maxRepetitions ≥ repetitions`]],
    ['CI target as a percentage', { ...ok, targetCiHalfWidth: 2 }, [`${FILE}: targetCiHalfWidth: expected a number > 0 and < 1, received 2`]],
    [
      'unknown compare key',
      { ...ok, compare: { threshold: 0.1 } },
      [`${FILE}: compare.threshold: unknown field; known fields: alpha, noiseThreshold, metrics`],
    ],
    ['zero timeout', { ...ok, timeoutSec: 0 }, [`${FILE}: timeoutSec: expected a number > 0, received 0`]],
    ['description not a string', { ...ok, description: ['x'] }, [`${FILE}: description: expected a string, received ["x"]`]],
    ['empty backends', { ...ok, backends: [] }, [`${FILE}: backends: expected a non-empty array of backend names, e.g. ["tcg", "kvm"], received []`]],
    [
      'backends as a string',
      { ...ok, backends: 'tcg' },
      [`${FILE}: backends: expected a non-empty array of backend names, e.g. ["tcg", "kvm"], received "tcg"`],
    ],
    [
      'unknown backend',
      { ...ok, backends: ['tcg', 'kvmm'] },
      [`${FILE}: backends[1]: unknown backend "kvmm" (did you mean "kvm"?); known backends: kvm, native, tcg, xen`],
    ],
    ['repeated backend', { ...ok, backends: ['tcg', 'tcg'] }, [`${FILE}: backends[1]: "tcg" is listed twice`]],
    ['empty workloads', { ...ok, workloads: [] }, [`${FILE}: workloads: expected a non-empty array of workload entries ({ workload, params }), received []`]],
    [
      'unknown workload',
      { ...ok, workloads: [{ workload: 'network' }] },
      [`${FILE}: workloads[0].workload: unknown workload "network"; known workloads: boot, cpu, disk`],
    ],
    [
      'misspelt workload',
      { ...ok, workloads: [{ workload: 'cpuu' }] },
      [`${FILE}: workloads[0].workload: unknown workload "cpuu" (did you mean "cpu"?); known workloads: boot, cpu, disk`],
    ],
    [
      'unknown entry key',
      { ...ok, workloads: [{ workload: 'cpu', param: {} }] },
      [`${FILE}: workloads[0].param: unknown field; known fields: workload, params, guests, neighbour`],
    ],
    ['params not an object', { ...ok, workloads: [{ workload: 'cpu', params: 3 }] }, [`${FILE}: workloads[0].params: expected an object, received 3`]],
    [
      'unknown parameter',
      { ...ok, workloads: [{ workload: 'cpu', params: { thread: 2 } }] },
      [`${FILE}: workloads[0].params.thread: unknown parameter "thread" (did you mean "threads"?); workload cpu takes: threads, timeSec`],
    ],
    [
      'empty axis',
      { ...ok, workloads: [{ workload: 'cpu', params: { threads: [] } }] },
      [`${FILE}: workloads[0].params.threads: expected a value or a non-empty array of values, received [] (an axis needs at least one value)`],
    ],
    [
      'bad parameter value',
      { ...ok, workloads: [{ workload: 'cpu', params: { threads: 'two' } }] },
      [`${FILE}: workloads[0].params.threads: expected an integer ≥ 1, received "two"`],
    ],
    [
      'bad values inside axes, reported once each',
      { ...ok, workloads: [{ workload: 'cpu', params: { threads: [1, 'two', 0], timeSec: [5, 10] } }] },
      [
        `${FILE}: workloads[0].params.threads: expected an integer ≥ 1, received "two"`,
        `${FILE}: workloads[0].params.threads: expected an integer ≥ 1, received 0`,
      ],
    ],
    [
      'enum parameter',
      { ...ok, workloads: [{ workload: 'disk', params: { rw: 'rw' } }] },
      [`${FILE}: workloads[0].params.rw: expected one of "read", "write", "randread", received "rw"`],
    ],
    [
      'regex parameter',
      { ...ok, workloads: [{ workload: 'disk', params: { bs: '4x' } }] },
      [`${FILE}: workloads[0].params.bs: expected a string matching /^\\d+[kmKM]$/, received "4x"`],
    ],
    [
      'boolean parameter',
      { ...ok, workloads: [{ workload: 'disk', params: { direct: 'yes' } }] },
      [`${FILE}: workloads[0].params.direct: expected true or false, received "yes"`],
    ],
    [
      'bounded integer parameter',
      { ...ok, workloads: [{ workload: 'disk', params: { iodepth: 512 } }] },
      [`${FILE}: workloads[0].params.iodepth: expected an integer from 1 to 256, received 512`],
    ],
    [
      'a check across parameters names the combination',
      { ...ok, workloads: [{ workload: 'disk', params: { rw: ['read', 'write'], iodepth: 128 } }] },
      [`${FILE}: workloads[0].params: writes support at most iodepth 64 (with rw="write", iodepth=128)`],
    ],
    [
      'the same case twice',
      { ...ok, workloads: [{ workload: 'cpu' }, { workload: 'cpu', params: { threads: 1 } }] },
      [`${FILE}: workloads[1]: cpu with threads=1 repeats workloads[0] (same parameters once defaults are filled in); remove one`],
    ],
    [
      'a value repeated in an axis',
      { ...ok, workloads: [{ workload: 'cpu', params: { threads: [2, 2] } }] },
      [`${FILE}: workloads[0]: cpu with threads=2 repeats an earlier combination of the same entry (same parameters once defaults are filled in); remove one`],
    ],
  ];

  it.each(cases)('%s', (_, value, expected) => {
    expect(problems(value)).toEqual(expected);
  });

  it('lists every problem at once', () => {
    const lines = problems({ name: 'x', guest: { vcpus: 0, memoryMiB: 'lots' }, repetitions: 'three', workloads: [{ workload: 'cpu' }] });
    expect(lines).toEqual([
      `${FILE}: guest.vcpus: expected an integer from 1 to 255, received 0`,
      `${FILE}: guest.memoryMiB: expected an integer from 64 to 1048576, received "lots"`,
      `${FILE}: repetitions: expected an integer from 1 to 1000, received "three"`,
    ]);
  });

  it('carries a hint pointing at the documentation', () => {
    expect(() => resolveSuite({}, deps, FILE)).toThrow(expect.objectContaining({ code: 'suite-invalid', hint: expect.stringMatching(/README/) }));
  });

  it('refuses a matrix above 10 000 cases, naming the axes and their sizes', () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const lines = problems({
      name: 'huge',
      backends: ['tcg', 'kvm'],
      workloads: [{ workload: 'cpu', params: { threads: range(100), timeSec: range(60) } }, { workload: 'boot' }],
    });
    expect(lines).toEqual([
      `${FILE}: workloads: the matrix has 12002 cases, more than the limit of 10000: ` +
        'backends 2 × (workloads[0] cpu: threads 100 × timeSec 60 = 6000; workloads[1] boot: 1); use fewer values per axis or split the suite',
    ]);
  });
});
