import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/results/sample.ts';
import { eventChanges } from '../../src/stats/compare-events.ts';
import { renderCompareMarkdown } from '../../src/stats/compare-markdown.ts';
import { compareRuns } from '../../src/stats/compare-report.ts';
import { renderCompare } from '../../src/stats/compare-text.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { explainedSamples } from '../report/explained-fixture.ts';

const options = { ignore: new Set(DEFAULT_IGNORED_DIMS), settings: () => ({ alpha: 0.01, noiseThreshold: 0.05 }), permutations: 2000 };
const a = explainedSamples();
/** Run B: the emulated disk's port I/O exits per operation up by 40 %, its halts up by 1 % (within the noise), the rest alike. */
const b: Sample[] = a.map((s) => {
  const ide = s.dims.backend === 'kvm' && s.dims.disk_model === 'ide';
  const run = { ...s.dims, run: 'r2' };
  if (ide && /^events\.randread\.io_exits_per_(op|s)$/.test(s.metric)) return { ...s, value: s.value * 1.4, dims: run };
  if (ide && /^events\.randread\.halt_exits_per_(op|s)$/.test(s.metric)) return { ...s, value: s.value * 1.01, dims: run };
  return { ...s, dims: run };
});

describe('the event counts that changed between two runs', () => {
  it('lists per-operation counts whose intervals are apart, largest relative change first', () => {
    const report = compareRuns({ id: 'r1', samples: a }, { id: 'r2', samples: b }, options);
    expect(report.eventChanges).toHaveLength(1);
    const c = report.eventChanges![0]!;
    expect([c.step, c.counter, c.per]).toEqual(['randread', 'io_exits', 'op']);
    expect(c.a).toBeCloseTo(18, 9);
    expect(c.b).toBeCloseTo(25.2, 9);
    expect(c.change).toBeCloseTo(0.4, 9);
    const line = `randread: io_exits per op +40.0 % (18 → 25.2)`;
    expect(renderCompare(report)).toContain(line);
    expect(renderCompare(report)).toMatch(/event counts that changed .*:\n {2}kvm\/disk .*ide randread: io_exits per op \+40\.0 %/);
    expect(renderCompareMarkdown(report)).toContain(line);
  });

  it('falls back to per-second counts without per-operation ones, at most five per case', () => {
    const perS = (run: string, f: number): Sample[] =>
      ['exits', 'io_exits', 'mmio_exits', 'halt_exits', 'irq_exits', 'signal_exits'].flatMap((c, k) =>
        [0.98, 1, 1.02].map((j, i) => ({
          metric: `events.cpu.${c}_per_s`,
          value: 1000 * (k + 1) * j * (run === 'r2' ? f ** (k + 1) : 1),
          unit: 'events/s',
          better: 'lower' as const,
          dims: { run, rep: i + 1, backend: 'kvm', workload: 'cpu', host: 'local' },
          ts: 't',
        })),
      );
    const report = compareRuns({ id: 'r1', samples: perS('r1', 1) }, { id: 'r2', samples: perS('r2', 1.5) }, options);
    const changes = eventChanges(report.rows);
    expect(changes).toHaveLength(5);
    expect(changes.map((c) => c.counter)).toEqual(['signal_exits', 'irq_exits', 'halt_exits', 'mmio_exits', 'io_exits']);
    expect(changes.every((c) => c.per === 's')).toBe(true);
  });

  it('still lists them when a case counted nothing (event_source none) in one run only: the other cases counted alike', () => {
    const bWithNone = b.map((s) => (s.dims.workload === 'micro' ? { ...s, dims: { ...s.dims, event_source: 'none' } } : s));
    const report = compareRuns({ id: 'r1', samples: a }, { id: 'r2', samples: bWithNone }, options);
    expect(report.eventChangesSkipped).toBeUndefined();
    expect(report.eventChanges?.map((c) => c.counter)).toEqual(['io_exits']);
  });

  it('says nothing when the runs have no event counts', () => {
    const plain = a.filter((s) => !s.metric.startsWith('events.'));
    expect(
      compareRuns({ id: 'r1', samples: plain }, { id: 'r2', samples: plain.map((s) => ({ ...s, dims: { ...s.dims, run: 'r2' } })) }, options).eventChanges,
    ).toBeUndefined();
  });
});
