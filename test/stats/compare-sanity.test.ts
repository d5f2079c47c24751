import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportRun } from '../../src/report/input.ts';
import { compareRuns, compareWithin, type CompareReport } from '../../src/stats/compare-report.ts';
import { renderCompareMarkdown } from '../../src/stats/compare-markdown.ts';
import { renderCompare } from '../../src/stats/compare-text.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';
import { loadRealRun } from '../support/real-runs.ts';

// The sanity flags as `hvbench compare` prints them (text, Markdown, JSON), on real runs.
const options = { ignore: new Set(DEFAULT_IGNORED_DIMS), settings: (m: string) => settingsFor(m, []), seed: 1 };
let local: ReportRun;
let lab: ReportRun;
let within: CompareReport;

beforeAll(async () => {
  local = await loadRealRun('native-tcg-local');
  lab = await loadRealRun('kvm-lab');
  within = compareWithin({ id: local.record.id, samples: local.samples }, 'backend', 'native', options);
});

describe('compare shows the sanity flags', () => {
  it('in text: after the table, the tag, the figure, its likely causes and the series named', () => {
    const text = renderCompare(within);
    const at = text.indexOf('sanity flags (docs/reproducible.md, "Reading the flags"):');
    expect(at).toBeGreaterThan(text.indexOf('B/A [95 % CI]'));
    const flags = text.slice(at);
    expect(flags).toMatch(/\n {2}faster than native: tcg\/micro msPerOp=200 micro\.cpuid_ns ↓: tcg at 0\.0018× \[0\.0013, 0\.0026\] native/);
    expect(flags).toMatch(/\n {4}likely causes:\n {4}- tcg emulates the CPU/);
    expect(flags).toMatch(/\n {2}CV outlier: 4 series scatter[^\n]*\n {4}- native\/boot boot\.to_ready_ms: CV 118 %/);
  });

  it('in Markdown, escaped, and in JSON', () => {
    const md = renderCompareMarkdown(within);
    expect(md).toMatch(
      /\*\*Sanity flags\*\*\n\n- \*\*faster than native\*\*: tcg\/micro msPerOp=200 micro\.cpuid_ns ↓: .* Likely causes: tcg emulates the CPU/,
    );
    expect(md).toMatch(/\n {2}- tcg\/disk\/io=paravirtual,runtimeSec=3,sizeMiB=128 disk\.rand_read_clat_p99_us: CV 99\.6 %/);
    const json = JSON.parse(JSON.stringify(within)) as CompareReport;
    expect(json.flags.map((f) => f.kind)).toEqual(['faster-than-native', 'cv-outlier']);
  });

  it('the lab flag of a lab run, and no faster-than-native in the gate between two runs', () => {
    const gate = compareRuns({ id: 'a', samples: lab.samples }, { id: 'b', samples: lab.samples }, options);
    expect(gate.flags.map((f) => f.kind)).toEqual(['lab']);
    expect(renderCompare(gate)).toMatch(/\n {2}lab: Figures from lab host lab-kvm \(a hypervisor nested under QEMU TCG\)/);
  });

  it('with --metric, only the flags of the metrics compared', () => {
    const cpu = compareWithin({ id: 'x', samples: local.samples }, 'backend', 'native', { ...options, metrics: ['cpu.events_per_s'] });
    expect(cpu.flags).toEqual([]);
    const micro = compareWithin({ id: 'x', samples: local.samples }, 'backend', 'native', { ...options, metrics: ['micro.cpuid_ns'] });
    expect(micro.flags.map((f) => f.kind)).toEqual(['faster-than-native']);
  });

  it('nothing when there is nothing to flag', () => {
    const quiet = compareWithin({ id: 'x', samples: local.samples }, 'backend', 'native', { ...options, metrics: ['memory.read_mib_s'] });
    expect(quiet.flags).toEqual([]);
    expect(renderCompare(quiet)).not.toMatch(/sanity flags/);
    expect(renderCompareMarkdown(quiet)).not.toMatch(/Sanity flags/);
  });
});

describe('fairness figures of a density run', () => {
  it('never flag a guest as faster than native: sharing more evenly is no speed', async () => {
    const density = await loadRealRun('density-native-tcg');
    // The real run, with native's guests made to share unevenly (min/max 0.5, Jain 0.9) and
    // tcg's evenly (0.99): a clear "better than native" on both fairness figures.
    const fairness = /\.(jain|min_max_ratio)$/;
    const samples = density.samples.map((x) =>
      fairness.test(x.metric) && x.dims.guests === 2 && x.dims.neighbour === undefined
        ? {
            ...x,
            value: x.dims.backend === 'native' ? (x.metric.endsWith('.jain') ? 0.9 : 0.5) + 0.001 * Number(x.dims.rep) : 0.99 - 0.001 * Number(x.dims.rep),
          }
        : x,
    );
    const report = compareWithin({ id: density.record.id, samples }, 'backend', 'native', options);
    expect(JSON.stringify(report)).toMatch(/cpu\.events_per_s\.(jain|min_max_ratio)/);
    expect(report.flags.filter((f) => f.kind === 'faster-than-native' && /\.(jain|min_max_ratio)\b/.test(f.text))).toEqual([]);
  });
});
