import { describe, expect, it } from 'vitest';
import { caseManifest, recordReading } from '../../src/results/manifest.ts';
import { checkEquivalence, equivalenceLines, manifestsOf, notEquivalent } from '../../src/stats/equivalence.ts';

const guest = { on: 'guest', cpus: '2', topology: 'sockets=1,cores=2,threads=1', memory_kib: '470000', clocksource: 'tsc', image: 'abc', disk_cache: 'none' };
const manifests = manifestsOf([
  { id: 'kvm/disk', manifest: caseManifest({ ...guest, clocksource: 'kvm-clock' }) },
  { id: 'tcg/disk', manifest: caseManifest(guest) },
  { id: 'xen/disk', manifest: caseManifest({ ...guest, cpus: '4', disk_cache: 'writeback' }) },
  { id: 'old/disk' },
]);

describe('equivalence check of a comparison', () => {
  it('checks each pair of cases once, names the must-match fields, and lists by-nature ones apart', () => {
    const pairs = [
      { a: { cases: ['tcg/disk'], variant: 'tcg' }, b: { cases: ['kvm/disk'], variant: 'kvm' } },
      { a: { cases: ['tcg/disk'], variant: 'tcg' }, b: { cases: ['kvm/disk'], variant: 'kvm' } },
      { a: { cases: ['tcg/disk'], variant: 'tcg' }, b: { cases: ['xen/disk'], variant: 'xen' } },
      { a: { cases: ['tcg/disk'], variant: 'tcg' }, b: { cases: ['old/disk'], variant: 'old' } },
    ];
    const check = checkEquivalence(pairs, { a: manifests, b: manifests });
    expect([check.checked, check.unchecked]).toEqual([2, 1]);
    expect(notEquivalent(check).map((i) => [i.a, i.b, i.mustMatch.map((d) => d.field)])).toEqual([['tcg/disk', 'xen/disk', ['cpus', 'disk_cache']]]);
    const lines = equivalenceLines(check);
    expect(lines.warnings).toEqual([
      expect.stringMatching(
        /^tcg\/disk and xen\/disk did not get the same guest: cpus \(CPUs the workload may use\): 2 against 4; disk_cache .*none against writeback; `pinning: 'auto'` in the suite gives every side, native too, as many CPUs/,
      ),
    ]);
    expect(lines.notes).toEqual([expect.stringMatching(/differ by nature .* clocksource tsc against kvm-clock/)]);
  });

  it('says pairs that differ alike in one line, naming three of them', () => {
    const cpus = (n: string) => caseManifest({ ...guest, cpus: n });
    const ids = ['boot', 'cpu', 'memory', 'disk', 'micro'];
    const many = manifestsOf(
      ids.flatMap((w) => [
        { id: `native/${w}`, manifest: cpus('2') },
        { id: `tcg/${w}`, manifest: cpus('1') },
      ]),
    );
    const pairs = ids.map((w) => ({ a: { cases: [`native/${w}`], variant: 'native' }, b: { cases: [`tcg/${w}`], variant: 'tcg' } }));
    const lines = equivalenceLines(checkEquivalence(pairs, { a: many, b: many }));
    expect(lines.warnings).toHaveLength(1);
    expect(lines.warnings[0]).toMatch(
      /^5 pairs did not get the same guest, alike: cpus \(CPUs the workload may use\): 2 against 1; `pinning: 'auto'`.* \(native\/boot and tcg\/boot; native\/cpu and tcg\/cpu; native\/memory and tcg\/memory, and 2 more\)$/,
    );
  });

  it('between runs (the same variant on both sides) a by-nature field must match too', () => {
    const check = checkEquivalence([{ a: { cases: ['tcg/disk'], variant: 'same' }, b: { cases: ['kvm/disk'], variant: 'same' } }], {
      a: manifests,
      b: manifests,
    });
    expect(notEquivalent(check)[0]?.mustMatch.map((d) => d.field)).toEqual(['clocksource']);
  });

  it('names a case whose boots read back different guests', () => {
    const first = recordReading(undefined, guest, { rep: 1, warmup: false });
    const unstable = manifestsOf([{ id: 'tcg/cpu', manifest: recordReading(first, { ...guest, clocksource: 'hpet' }, { rep: 2, warmup: false }) }]);
    const check = checkEquivalence([{ a: { cases: ['tcg/cpu'], variant: 'same' }, b: { cases: ['tcg/cpu'], variant: 'same' } }], { a: unstable, b: unstable });
    expect(check.unstable).toEqual([
      { run: 'A', caseId: 'tcg/cpu', fields: ['clocksource'] },
      { run: 'B', caseId: 'tcg/cpu', fields: ['clocksource'] },
    ]);
    expect(equivalenceLines(check).warnings[0]).toMatch(/tcg\/cpu \(A\) read back a different guest on some boots: clocksource/);
  });
});
