import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import { compareWithin } from '../../src/stats/compare-report.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';

// A real native + tcg run recorded with the equivalence manifest and the guest's clock
// readings (test/fixtures/runs/native-tcg-manifest): its clock drift is signed (negative
// when the guest's clock ran slow), a condition of each case rather than a figure.
const options = REPORT_OPTIONS;

describe('a real run with manifests and clock readings', () => {
  it('keeps its negative clock drift readings, and draws no figure and pairs no series of them', async () => {
    const run = await loadRealRun('native-tcg-manifest');
    const drift = run.samples.filter((s) => s.metric === 'guest.clock_drift_ppm');
    expect(drift.some((s) => s.value < 0)).toBe(true);
    expect(run.warnings).toEqual([]);
    const model = buildReport({ runs: [run], ...options, generatedAt: '2026-12-06T00:00:00Z' });
    expect(JSON.stringify(model.charts ?? [])).not.toContain('guest.clock_drift_ppm');
    const within = compareWithin({ id: run.record.id, samples: run.samples }, 'backend', 'native', options);
    expect(within.rows.length).toBeGreaterThan(10);
    expect(within.rows.filter((r) => r.metric === 'guest.clock_drift_ppm')).toEqual([]);
  });

  it('records a manifest for every case that ran, one per backend and device set', async () => {
    const run = await loadRealRun('native-tcg-manifest');
    for (const c of run.record.cases.filter((x) => x.status === 'completed')) expect(c.manifest?.hash, c.id).toMatch(/^[0-9a-f]{16}$/);
  });
});
