import { describe, expect, it } from 'vitest';
import type { Dims, Sample } from '../../src/results/sample.ts';
import { explainRuns } from '../../src/stats/explained-cases.ts';
import { explainGap, topTerms } from '../../src/stats/explained.ts';

/** Five repetitions around `x`, ±2 %. */
const reps = (x: number) => [0.98, 0.99, 1, 1.01, 1.02].map((f) => x * f);

describe('the explained-overhead model', () => {
  // Shaped like a KVM disk case on an emulated disk: 2000 IOPS against native's 8000.
  const input = {
    workB: reps(2000),
    workN: reps(8000),
    rates: { io_exits: reps(36_000), mmio_exits: reps(0), halt_exits: reps(20_000), other_exits: reps(34_000) },
    microB: { ioport: reps(9000), cpuid: reps(1200) },
    microN: { cpuid: reps(100) },
  };

  it('sets the gap to native against the counted events at their unit costs', () => {
    const m = explainGap(input, { seed: 7 });
    expect(m.gap).toBeCloseTo(0.75, 12);
    const io = m.terms.find((t) => t.counter === 'io_exits')!;
    // No native port figure: the whole 9000 ns; 36 000/s × 9 µs = 0.324 s per s.
    expect(io.costNs).toBeCloseTo(9000, 9);
    expect(io.explained).toBeCloseTo(0.324, 12);
    const other = m.terms.find((t) => t.counter === 'other_exits')!;
    // CPUID less native's: 1100 ns; 34 000/s × 1.1 µs = 0.0374.
    expect(other.costNs).toBeCloseTo(1100, 9);
    expect(other.explained).toBeCloseTo(0.0374, 12);
    const halt = m.terms.find((t) => t.counter === 'halt_exits')!;
    expect(halt.costNs).toBeUndefined();
    expect(halt.explained).toBe(0);
    expect(m.explained).toBeCloseTo(0.3614, 12);
    expect(m.share).toBeCloseTo(0.3614 / 0.75, 12);
    expect(m.unexplained).toBeCloseTo(0.75 - 0.3614, 12);
    expect(m.overExplained).toBe(false);
    expect(topTerms(m).map((t) => t.counter)).toEqual(['io_exits', 'other_exits']);
    expect(m.resamples).toBe(2000);
  });

  it('gives the share a seeded percentile bootstrap interval around it', () => {
    const a = explainGap(input, { seed: 7 });
    const b = explainGap(input, { seed: 7 });
    expect(a.shareCi).toEqual(b.shareCi);
    expect(a.shareCi!.level).toBe(0.95);
    expect(a.shareCi!.lo).toBeLessThan(a.share!);
    expect(a.shareCi!.hi).toBeGreaterThan(a.share!);
    // ±2 % inputs: the share moves by a few per cent, not more.
    expect(a.shareCi!.hi - a.shareCi!.lo).toBeLessThan(0.1);
    expect(explainGap(input, { seed: 8 }).shareCi).not.toEqual(a.shareCi);
  });

  it("never makes a unit cost negative: a native figure above the backend's counts as 0", () => {
    const m = explainGap({ ...input, microN: { cpuid: reps(5000) } }, { seed: 1 });
    expect(m.terms.find((t) => t.counter === 'other_exits')!.costNs).toBe(0);
  });

  it('says over-explained when the events would take more time than the gap', () => {
    const m = explainGap({ ...input, workN: reps(2400) }, { seed: 1 });
    expect(m.gap).toBeCloseTo(1 / 6, 12);
    expect(m.overExplained).toBe(true);
    expect(m.unexplained).toBeLessThan(0);
    expect(m.share).toBeGreaterThan(1);
  });

  it('has no share without a gap', () => {
    const m = explainGap({ ...input, workN: reps(1900) }, { seed: 1 });
    expect(m.gap).toBeLessThan(0);
    expect(m.share).toBeUndefined();
    expect(m.shareCi).toBeUndefined();
    expect(m.overExplained).toBe(false);
  });

  it('refuses a missing or non-positive throughput, naming it', () => {
    expect(() => explainGap({ ...input, workN: [0, 8000] }, { seed: 1 })).toThrow(/work_n/);
    // No native figures at all: no gap, not an error.
    expect(explainGap({ ...input, workN: [] }, { seed: 1 }).gap).toBeUndefined();
    expect(() => explainGap({ ...input, workB: [0, 1] }, { seed: 1 })).toThrow(/work_b/);
  });
});

describe('the model on runs', () => {
  const sample = (metric: string, value: number, dims: Dims, unit = 'events/s'): Sample => ({
    metric,
    value,
    unit,
    better: metric.endsWith('work_per_s') ? 'higher' : 'lower',
    dims: { run: 'r', suite: 'explain', host: 'local', vcpus: 1, memory_mib: 512, ...dims },
    ts: 't',
  });
  const disk = (backend: string, device: Dims, source: string, rep: number, counts: Record<string, number>, work: number): Sample[] => {
    const dims = { backend, workload: 'disk', 'param.runtimeSec': 5, ...device, event_source: source, rep };
    return [
      ...Object.entries(counts).flatMap(([c, v]) => [
        sample(`events.randread.${c}_per_s`, v, dims),
        sample(`events.randread.${c}_per_op`, v / work, dims, 'events/op'),
      ]),
      sample('events.randread.work_per_s', work, dims, 'IOPS'),
    ];
  };
  const micro = (backend: string, rep: number, ns: Record<string, number>): Sample[] =>
    Object.entries(ns).map(([op, v]) => sample(`micro.${op}_ns`, v, { backend, workload: 'micro', 'param.msPerOp': 200, rep }, 'ns'));
  const samples: Sample[] = [1, 2, 3].flatMap((rep) => [
    ...disk(
      'kvm',
      { io: 'emulated', disk_model: 'ide', 'param.io': 'emulated' },
      'kvm-debugfs',
      rep,
      { exits: 90_000 + rep, io_exits: 36_000, halt_exits: 20_000 },
      2000 + rep,
    ),
    ...disk('native', { io: 'none', disk_model: 'host-file' }, 'proc-faults', rep, { minor_faults: 10, major_faults: 0 }, 8000 + rep),
    ...disk('tcg', { io: 'emulated', disk_model: 'ide', 'param.io': 'emulated' }, 'qemu-jit', rep, { tb_count: 500, tb_flushes: 0 }, 500 + rep),
    ...micro('kvm', rep, { cpuid: 1200, ioport: 9000 }),
    ...micro('native', rep, { cpuid: 100 }),
  ]);

  it("models a KVM step against native's same step, and lists TCG and native with the reason", () => {
    const cases = explainRuns(samples, { reference: 'native', seed: 1 });
    const kvm = cases.find((c) => c.variant === 'kvm')!;
    expect(kvm.step).toBe('randread');
    expect(kvm.eventSource).toBe('kvm-debugfs');
    expect(kvm.n).toBe(3);
    expect(kvm.configuration).toMatchObject({ workload: 'disk', disk_model: 'ide' });
    expect(kvm.work).toEqual({ b: 2002, unit: 'IOPS', reference: 8002 });
    expect(kvm.notModelled).toBeUndefined();
    expect(kvm.model!.gap).toBeCloseTo(1 - 2002 / 8002, 12);
    // other exits = exits − io − halt, per repetition: 34 000 + rep.
    expect(kvm.model!.terms.find((t) => t.counter === 'other_exits')!.ratePerS).toBeCloseTo(34_002, 9);
    expect(kvm.counts.find((c) => c.counter === 'io_exits')!.perOp).toBeCloseTo((36_000 / 2001 + 36_000 / 2002 + 36_000 / 2003) / 3, 9);

    const tcg = cases.find((c) => c.variant === 'tcg')!;
    expect(tcg.model).toBeUndefined();
    expect(tcg.notModelled).toMatch(/TCG's cost is translation/);
    expect(tcg.counts.map((c) => c.counter)).toEqual(['tb_count', 'tb_flushes']);
    expect(cases.find((c) => c.variant === 'native')!.notModelled).toMatch(/the reference/);
  });

  it('says what is missing: the throughput beside the counts, the micro case, native', () => {
    const noWork = samples.filter((s) => !s.metric.endsWith('work_per_s'));
    expect(explainRuns(noWork, { reference: 'native', seed: 1 }).find((c) => c.variant === 'kvm')!.notModelled).toMatch(/events\.randread\.work_per_s/);
    const noMicro = samples.filter((s) => !(s.metric.startsWith('micro.') && s.dims.backend === 'kvm'));
    expect(explainRuns(noMicro, { reference: 'native', seed: 1 }).find((c) => c.variant === 'kvm')!.notModelled).toMatch(/no micro case of kvm/);
  });

  it("without native's case, or without native in the runs, gives the events' time as a share of the step's alone", () => {
    const noNative = samples.filter((s) => !(s.metric.startsWith('events.') && s.dims.backend === 'native'));
    const kvm = explainRuns(noNative, { reference: 'native', seed: 1 }).find((c) => c.variant === 'kvm')!;
    expect(kvm.noGap).toMatch(/no native case/);
    expect(kvm.model!.gap).toBeUndefined();
    expect(kvm.model!.share).toBeUndefined();
    expect(kvm.model!.unexplained).toBeUndefined();
    // 36 000/s × 9 µs + 34 000/s × 1.1 µs (native's CPUID still subtracted: its micro case ran).
    expect(kvm.model!.explained).toBeCloseTo(0.3614, 3);
    const lab = explainRuns(
      samples.filter((s) => s.dims.backend !== 'native'),
      { reference: undefined, seed: 1 },
    ).find((c) => c.variant === 'kvm')!;
    expect(lab.noGap).toMatch(/no reference/);
    // Nothing to subtract: CPUID at its whole 1200 ns.
    expect(lab.model!.explained).toBeCloseTo(0.324 + 34_002 * 1200e-9, 6);
    expect(lab.model!.explainedCi.lo).toBeLessThanOrEqual(lab.model!.explained);
    expect(lab.model!.explainedCi.hi).toBeGreaterThanOrEqual(lab.model!.explained);
  });
});

describe('a counter whose micro figure is missing', () => {
  it('is listed unpriced with the reason, its time left in the unexplained rest', () => {
    const m = explainGap(
      { workB: [1000, 1010], workN: [2000, 2020], rates: { io_exits: [5000, 5100], other_exits: [100, 110] }, microB: { cpuid: [1000, 1010] }, microN: {} },
      { seed: 1, resamples: 200 },
    );
    const io = m.terms.find((t) => t.counter === 'io_exits')!;
    expect(io.costNs).toBeUndefined();
    expect(io.explained).toBe(0);
    expect(io.note).toBe('not priced: no micro.ioport_ns, nor micro.devport_ns − micro.syscall_ns on this backend');
    expect(m.explained).toBeCloseTo(105 * 1005 * 1e-9, 12);
  });
});

describe('a port exit where user-mode IN faults', () => {
  const base = { workB: [1000, 1010], workN: [2000, 2020], rates: { io_exits: [5000, 5100] }, microN: {} };

  it('is priced with micro.devport_ns less micro.syscall_ns of the same backend', () => {
    const m = explainGap({ ...base, microB: { devport: [3000, 3000], syscall: [500, 500] } }, { seed: 1, resamples: 200 });
    const io = m.terms.find((t) => t.counter === 'io_exits')!;
    expect(io.costNs).toBe(2500);
    expect(io.price).toBe('micro.devport_ns − micro.syscall_ns');
    expect(io.explained).toBeCloseTo(5050 * 2500e-9, 12);
  });

  it("less native's own where native timed its port the same way", () => {
    const m = explainGap(
      { ...base, microB: { devport: [3000, 3000], syscall: [500, 500] }, microN: { devport: [1500, 1500], syscall: [400, 400] } },
      { seed: 1, resamples: 200 },
    );
    expect(m.terms.find((t) => t.counter === 'io_exits')!.costNs).toBe(1400);
  });

  it('prefers micro.ioport_ns where the backend has it', () => {
    const m = explainGap({ ...base, microB: { ioport: [9000, 9000], devport: [3000, 3000], syscall: [500, 500] } }, { seed: 1, resamples: 200 });
    expect(m.terms.find((t) => t.counter === 'io_exits')!.price).toBe('micro.ioport_ns');
  });
});
