import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportRun } from '../../src/report/input.ts';
import { compareRuns, type CompareReport } from '../../src/stats/compare-report.ts';
import { buildHistory } from '../../src/stats/history.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';
import { loadRealRun } from '../support/real-runs.ts';

// The regression gate and history on two real runs of the same suite (native and tcg), the
// second on a machine busy with other work: what the gate says must follow from the data.
const ignore = new Set(DEFAULT_IGNORED_DIMS);
let first: ReportRun;
let second: ReportRun;
let gate: CompareReport;

beforeAll(async () => {
  first = await loadRealRun('native-tcg-local');
  second = await loadRealRun('native-tcg-local-2');
  gate = compareRuns(
    { id: first.record.id, samples: first.samples },
    { id: second.record.id, samples: second.samples },
    { ignore, settings: (m) => settingsFor(m, []), seed: 1 },
  );
});

describe('the regression gate on two real runs', () => {
  it('matches every series of one run with the other despite a new image, new initrds and a changed clocksource', () => {
    expect(gate.rows.length).toBeGreaterThanOrEqual(90);
    expect(gate.unmatched.onlyA).toEqual([]);
    expect(gate.unmatched.onlyB).toEqual([]);
    const changed = gate.provenanceChanges.map((c) => c.dim);
    expect(changed).toEqual(expect.arrayContaining(['image', 'guest_clocksource']));
    for (const r of gate.rows)
      for (const x of [r.comparison.ratio, r.comparison.ratioCi?.lo, r.comparison.ratioCi?.hi, r.a.mean, r.b.mean])
        if (x !== undefined) expect(Number.isFinite(x)).toBe(true);
  });

  it('reports the slower TCG boots of the busy machine as one finding of tcg, and stays quiet on the rest', () => {
    const boot = gate.findings.find((f) => f.variant === 'tcg' && f.metric === 'boot.to_ready_ms' && f.verdict === 'regression');
    expect(boot).toBeDefined();
    expect(boot!.ratioRange!.min).toBeGreaterThan(2);
    // CPU throughput of native and tcg did not move beyond the noise threshold: no verdict there.
    for (const r of gate.rows.filter((r) => r.metric === 'cpu.events_per_s')) expect(r.comparison.verdict).toBe('no-change');
    // At n = 3 a side, with ~100 series in the family, only large effects can pass the family-wise test.
    const flagged = gate.rows.filter((r) => r.comparison.verdict === 'regression' || r.comparison.verdict === 'improvement');
    expect(flagged.length).toBeLessThanOrEqual(10);
    for (const r of flagged) expect(Math.abs(Math.log(r.comparison.ratio!))).toBeGreaterThan(Math.log(1.05));
  });

  it('draws a history of the two runs per series, oldest first', () => {
    const runs = [second, first].map((r) => ({ id: r.record.id, startedAt: r.record.startedAt, revision: r.record.hvbench.revision, samples: r.samples }));
    const history = buildHistory(runs, { metric: 'cpu.events_per_s', ignore, settings: (m) => settingsFor(m, []), seed: 1 });
    expect(history.map((h) => h.dims.backend).sort()).toEqual(['native', 'tcg']);
    for (const h of history) {
      expect(h.points.map((p) => p.runs[0])).toEqual([first.record.id, second.record.id]);
      expect(h.points[1]!.change).toBeDefined();
    }
  });
});
