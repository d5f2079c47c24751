import { describe, expect, it } from 'vitest';
import { enforceEquivalence, reportEquivalence } from '../../src/cli/equivalence.ts';
import { caseManifest } from '../../src/results/manifest.ts';
import type { Sample } from '../../src/results/sample.ts';
import { HvbError } from '../../src/util/errors.ts';

const guest = { on: 'guest', cpus: '2', memory_kib: '470000', clocksource: 'tsc', image: 'abc' };
const host = { on: 'host', cpus: '2', memory_kib: '8000000', clocksource: 'tsc', image: 'abc' };

function samples(backend: string, values: number[]): Sample[] {
  return values.map((value, i) => ({
    metric: 'cpu.events_per_s',
    value,
    unit: 'events/s',
    better: 'higher',
    dims: { suite: 's', run: 'r', case: `${backend}/cpu`, backend, workload: 'cpu', vcpus: 2, memory_mib: 512, rep: i + 1 },
    ts: '2026-01-01T00:00:00Z',
  }));
}

const ignore = new Set(['suite', 'run', 'case', 'rep', 'seq', 'host', 'ts']);

describe('the equivalence check of report and compare', () => {
  it('pairs each backend with the reference (native) by case, from the samples and the manifests of run.json', () => {
    const run = {
      record: {
        cases: [
          { id: 'native/cpu', manifest: caseManifest(host) },
          { id: 'tcg/cpu', manifest: caseManifest(guest) },
          { id: 'kvm/cpu', manifest: caseManifest({ ...guest, cpus: '1' }) },
        ],
      },
      samples: [...samples('native', [10, 11, 12]), ...samples('tcg', [1, 2, 3]), ...samples('kvm', [5, 6, 7])],
    };
    const check = reportEquivalence([run], undefined, undefined, ignore);
    expect(check.checked).toBe(2);
    expect(check.issues.filter((i) => i.mustMatch.length > 0).map((i) => [i.a, i.b, i.mustMatch.map((d) => d.field)])).toEqual([
      ['native/cpu', 'kvm/cpu', ['cpus']],
    ]);
    // Memory differs by nature against the host.
    expect(check.issues.find((i) => i.b === 'tcg/cpu')?.nature.map((d) => d.field)).toEqual(['memory_kib', 'on']);

    const { warnings } = enforceEquivalence(check, false, 'backend');
    expect(warnings).toEqual([expect.stringMatching(/native\/cpu and kvm\/cpu did not get the same guest: cpus .*: 2 against 1/)]);
    let thrown: unknown;
    try {
      enforceEquivalence(check, true, 'backend');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(HvbError);
    expect((thrown as HvbError).code).toBe('not-equivalent');
    expect((thrown as HvbError).message).toMatch(/--strict: the sides differ in more than the backend compared:\n {2}native\/cpu and kvm\/cpu .*cpus/);
  });

  it('checks nothing, and refuses nothing, when the runs recorded no manifests', () => {
    const run = { record: { cases: [{ id: 'native/cpu' }, { id: 'tcg/cpu' }] }, samples: [...samples('native', [10, 11]), ...samples('tcg', [1, 2])] };
    const check = reportEquivalence([run], undefined, undefined, ignore);
    expect([check.checked, check.unchecked, check.issues]).toEqual([0, 1, []]);
    expect(enforceEquivalence(check, true, 'backend')).toEqual({ warnings: [], notes: [] });
  });
});
