import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportRun } from '../../src/report/input.ts';
import type { Sample } from '../../src/results/sample.ts';
import { flagLines, flagText } from '../../src/stats/sanity.ts';
import { cvOutlierFlags } from '../../src/stats/sanity-cv.ts';
import { CLOCK_DRIFT_METRIC, CLOCK_DRIFT_THRESHOLD_PPM, clockDriftFlags } from '../../src/stats/sanity-drift.ts';
import { labFlag } from '../../src/stats/sanity-lab.ts';
import { runSanityFlags } from '../../src/stats/sanity-run.ts';
import { loadRealRun } from '../support/real-runs.ts';

// The flags a run's own samples raise: CV outliers, clock drift and lab figures, on the
// real runs of test/fixtures/runs/.
const runs: Record<string, ReportRun> = {};

beforeAll(async () => {
  for (const name of ['native-tcg-local', 'native-tcg-local-2', 'kvm-lab', 'xen-lab-pv-pvh']) runs[name] = await loadRealRun(name);
});

/** The drift readings a repetition records, put on the real samples of one case (one per repetition). */
function withDrift(samples: readonly Sample[], caseId: string, ppm: readonly number[]): Sample[] {
  const reps = samples.filter((s) => s.dims.case === caseId && s.metric === 'boot.to_ready_ms');
  expect(reps.length).toBe(ppm.length);
  return [...samples, ...reps.map((s, i) => ({ ...s, metric: CLOCK_DRIFT_METRIC, unit: 'ppm', better: 'lower' as const, value: ppm[i]! }))];
}

describe('CV outliers', () => {
  it("name each series far above its backend's usual, with both figures", () => {
    const flags = cvOutlierFlags(runs['native-tcg-local']!.samples);
    expect(flags).toHaveLength(1);
    expect(flags[0]!.kind).toBe('cv-outlier');
    expect(flags[0]!.text).toMatch(/^4 series scatter far more than their backend's others in this run \(CV above 3× the backend's median CV and above 5 %\)/);
    expect(flags[0]!.items).toEqual([
      "native/boot boot.to_ready_ms: CV 118 % over 3 repetitions, native's usual 8.86 % (median of its 19 series)",
      "native/boot boot.guest_uptime_at_ready_s: CV 86.6 % over 3 repetitions, native's usual 8.86 % (median of its 19 series)",
      "native/disk/io=paravirtual,runtimeSec=3,sizeMiB=128 disk.rand_read_clat_p99_us: CV 29.1 % over 3 repetitions, native's usual 8.86 % (median of its 19 series)",
      "tcg/disk/io=paravirtual,runtimeSec=3,sizeMiB=128 disk.rand_read_clat_p99_us: CV 99.6 % over 3 repetitions, tcg's usual 16.6 % (median of its 25 series)",
    ]);
  });

  it("count only a case's own figures: the boot and host figures of other cases never appear", () => {
    for (const name of Object.keys(runs))
      for (const item of cvOutlierFlags(runs[name]!.samples).flatMap((f) => f.items ?? [])) {
        const [caseId, metric] = item.split(' ');
        const workload = caseId!.split('/')[1];
        expect(metric!.startsWith(`${workload}.`), item).toBe(true);
      }
  });

  it("take each Xen guest type's usual on its own, and stay quiet on the KVM lab's even run", () => {
    expect(cvOutlierFlags(runs['kvm-lab']!.samples)).toEqual([]);
    expect(cvOutlierFlags(runs['xen-lab-pv-pvh']!.samples)[0]!.items).toEqual([
      expect.stringMatching(/^xen:pv\/disk\/\S+ disk\.rand_read_clat_p50_us: CV 160 % over 3 repetitions, xen pv's usual 51\.3 % \(median of its 20 series\)$/),
      expect.stringMatching(/^xen:pvh\/disk\/\S+ disk\.seq_read_mib_s: CV 93\.7 % over 3 repetitions, xen pvh's usual 28\.7 % \(median of its 20 series\)$/),
    ]);
  });

  it('need more than 3× the usual and more than 5 %: a backend whose series vary by 0.1 % does not flag one at 2 %', () => {
    // The real series, each made to vary by 0.1 % between its repetitions.
    const first = new Map<string, number>();
    const quiet = runs['kvm-lab']!.samples.map((s) => {
      const key = `${s.dims.case} ${s.metric}`;
      if (!first.has(key)) first.set(key, s.value);
      return { ...s, value: first.get(key)! * (1 + 0.001 * (Number(s.dims.rep) - 2)) };
    });
    expect(cvOutlierFlags(quiet)).toEqual([]);
    const noisyOne = quiet.map((s) => (s.metric === 'cpu.events_per_s' && s.dims.rep === 2 ? { ...s, value: s.value * 1.04 } : s));
    expect(cvOutlierFlags(noisyOne)).toEqual([]);
    const noisier = quiet.map((s) => (s.metric === 'cpu.events_per_s' && s.dims.rep === 2 ? { ...s, value: s.value * 1.3 } : s));
    expect(cvOutlierFlags(noisier)[0]!.items).toEqual([expect.stringMatching(/^kvm\/cpu\/\S+ cpu\.events_per_s: CV /)]);
  });
});

describe('clock drift', () => {
  const cpuCase = 'tcg/cpu/maxPrime=10000,threads=1,timeSec=5';

  it('is silent when the run has no clock readings (runs recorded before them)', () => {
    for (const name of Object.keys(runs)) expect(clockDriftFlags(runs[name]!.samples)).toEqual([]);
  });

  it("flags a case whose median drift exceeds 1000 ppm, saying which way the guest's rates are off", () => {
    const samples = withDrift(runs['native-tcg-local']!.samples, cpuCase, [-2100, -2300, -2600]);
    const [flag] = clockDriftFlags(samples);
    expect(flag!.kind).toBe('clock-drift');
    expect(flag!.text).toMatch(
      /more than 1000 ppm \(0\.1 %\) in 1 case, up to 0\.23 %: rates and durations the guest timed with its own clock are off by that much/,
    );
    expect(flag!.items).toEqual([`${cpuCase}: 2300 ppm slow (median of 3): rates it timed read 0.23 % high`]);
    const fast = clockDriftFlags(withDrift(runs['native-tcg-local']!.samples, cpuCase, [1500, 1200, 900]));
    expect(fast[0]!.items).toEqual([`${cpuCase}: 1200 ppm fast (median of 3): rates it timed read 0.12 % low`]);
  });

  it('leaves a median within the threshold alone, however far one repetition strays', () => {
    expect(CLOCK_DRIFT_THRESHOLD_PPM).toBe(1000);
    expect(clockDriftFlags(withDrift(runs['native-tcg-local']!.samples, cpuCase, [-900, -40_000, -300]))).toEqual([]);
  });

  it("takes readings on both sides for the console's timing noise, not a clock: native read −2791, +133, +245 ppm on a loaded host", () => {
    expect(clockDriftFlags(withDrift(runs['native-tcg-local']!.samples, cpuCase, [-2791, -1500, 245]))).toEqual([]);
    const one = runs['native-tcg-local']!.samples.filter((s) => s.dims.case === cpuCase && s.dims.rep !== 1 && s.dims.rep !== 2);
    expect(clockDriftFlags(withDrift(one, cpuCase, [-5000]))).toEqual([]);
  });
});

describe('lab figures and the one list', () => {
  it('flags the lab host of a run measured in a lab, in the words the report always used', () => {
    const flags = runSanityFlags([{ id: 'kvm', samples: runs['kvm-lab']!.samples }]);
    expect(flags.map((f) => f.kind)).toEqual(['lab']);
    expect(flags[0]!.text).toBe(
      'Figures from lab host lab-kvm (a hypervisor nested under QEMU TCG) are functional checks, not performance data: they show that a backend works, not how fast it is.',
    );
    expect(labFlag(['lab-kvm', 'lab-xen'])!.text).toMatch(/^Figures from lab hosts lab-kvm, lab-xen /);
  });

  it('puts lab, clock drift and CV outliers of several runs in one list, each naming its run', () => {
    const a = runs['native-tcg-local']!;
    const b = runs['kvm-lab']!;
    const flags = runSanityFlags([
      { id: 'first', samples: withDrift(a.samples, 'tcg/cpu/maxPrime=10000,threads=1,timeSec=5', [-5000, -5000, -5000]) },
      { id: 'lab', samples: b.samples },
    ]);
    expect(flags.map((f) => f.kind)).toEqual(['lab', 'clock-drift', 'cv-outlier']);
    expect(flags[1]!.text).toMatch(/^first: the guest's clock/);
    expect(flags[2]!.text).toMatch(/^first: 4 series/);
  });

  it('reads as one line for a list, and as a tag with indented causes and items for a terminal', () => {
    const [cv] = cvOutlierFlags(runs['native-tcg-local']!.samples);
    expect(flagText(cv!)).toBe(cv!.text);
    const lines = flagLines(cv!);
    expect(lines[0]).toMatch(/^ {2}CV outlier: 4 series/);
    expect(lines.slice(1)).toEqual(cv!.items!.map((i) => `    - ${i}`));
    expect(flagText({ kind: 'faster-than-native', text: 'x.', causes: ['a', 'b'] })).toBe('x. Likely causes: a; b.');
  });
});
