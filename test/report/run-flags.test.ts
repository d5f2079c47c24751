import { describe, expect, it } from 'vitest';
import { renderRunFlags, runFlags } from '../../src/report/run-flags.ts';
import { compareWithin } from '../../src/stats/compare-report.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';
import { loadRealRun } from '../support/real-runs.ts';

// What `hvbench run` prints under its table: the flags compare and the report show, from
// the samples the run just measured.
const settings = (m: string) => settingsFor(m, []);

describe('the flags under the run table', () => {
  it('for a native + tcg run: the same flags as compare against native', async () => {
    const local = await loadRealRun('native-tcg-local');
    const run = { id: local.record.id, samples: local.samples };
    const flags = runFlags(run, settings);
    expect(flags).toEqual(compareWithin(run, 'backend', 'native', { ignore: new Set(DEFAULT_IGNORED_DIMS), settings }).flags);
    expect(flags.map((f) => f.kind)).toEqual(['faster-than-native', 'cv-outlier']);
    const text = renderRunFlags(run, settings);
    expect(text).toMatch(/^\nsanity flags \(docs\/reproducible\.md, "Reading the flags"\):\n {2}faster than native: tcg\/micro msPerOp=200 micro\.cpuid_ns/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('for a run without native: its own flags (a lab run: the lab notice)', async () => {
    const lab = await loadRealRun('kvm-lab');
    const text = renderRunFlags({ id: lab.record.id, samples: lab.samples }, settings);
    expect(text).toBe(
      '\nsanity flags (docs/reproducible.md, "Reading the flags"):\n  lab: Figures from lab host lab-kvm (a hypervisor nested under QEMU TCG) are functional checks, not performance data: they show that a backend works, not how fast it is.\n',
    );
  });

  it('nothing for a run with nothing to flag', async () => {
    const local = await loadRealRun('native-tcg-local');
    const memory = local.samples.filter((s) => s.dims.workload === 'memory');
    expect(renderRunFlags({ id: 'x', samples: memory }, settings)).toBe('');
  });
});
