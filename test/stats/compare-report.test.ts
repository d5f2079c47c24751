import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/results/sample.ts';
import { renderCompareMarkdown } from '../../src/stats/compare-markdown.ts';
import { compareRuns, compareWithin } from '../../src/stats/compare-report.ts';
import { renderCompare } from '../../src/stats/compare-text.ts';
import { mulberry32, normalSampler } from '../../src/stats/prng.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';

const options = { ignore: new Set(DEFAULT_IGNORED_DIMS), settings: (m: string) => settingsFor(m, []), seed: 1 };

/** A run: for each backend, workloads boot/cpu/disk/… with boot.to_ready_ms (↓) and a throughput (↑). */
function run(id: string, seed: number, factor: (backend: string, metric: string, workload: string) => number, backends = ['kvm', 'tcg'], n = 10): Sample[] {
  const z = normalSampler(mulberry32(seed));
  const out: Sample[] = [];
  const workloads = ['boot', 'cpu', 'memory', 'disk', 'micro', 'net', 'stream', 'hackbench'];
  for (const backend of backends) {
    for (const workload of workloads) {
      for (let rep = 1; rep <= n; rep++) {
        const dims = { run: id, rep, backend, workload, host: 'local', 'param.x': 1 };
        const boot = 3000 * factor(backend, 'boot.to_ready_ms', workload) * (1 + 0.02 * z());
        out.push({ metric: 'boot.to_ready_ms', value: boot, unit: 'ms', better: 'lower', dims, ts: '' });
        out.push({
          metric: 'work.ops_s',
          value: 1000 * factor(backend, 'work.ops_s', workload) * (1 + 0.02 * z()),
          unit: 'ops/s',
          better: 'higher',
          dims,
          ts: '',
        });
      }
    }
  }
  return out;
}

describe('compareRuns: the regression gate', () => {
  it('reports one KVM boot change seen in every KVM case as one finding listing the cases, first in the text', () => {
    const base = run('A', 1, () => 1);
    const slow = run('B', 2, (backend, metric) => (backend === 'kvm' && metric === 'boot.to_ready_ms' ? 1.12 : 1));
    const report = compareRuns({ id: 'A', samples: base }, { id: 'B', samples: slow }, options);
    expect(report.method).toMatchObject({ gateTest: 'welch', correction: 'holm', familySize: 32 });
    expect(report.counts).toMatchObject({ regression: 8, improvement: 0, 'not-computable': 0 });
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ verdict: 'regression', variant: 'kvm', metric: 'boot.to_ready_ms', better: 'lower' });
    expect(report.findings[0]!.cases).toHaveLength(8);
    expect(report.findings[0]!.ratioRange!.min).toBeGreaterThan(1.05);
    const text = renderCompare(report);
    const lines = text.split('\n');
    const findingsAt = lines.indexOf('findings:');
    expect(findingsAt).toBeGreaterThan(0);
    expect(lines[findingsAt + 1]).toMatch(/^ {2}regression: kvm boot\.to_ready_ms ↓ in 8 cases, B\/A 1\.\d{3}–1\.\d{3}: kvm\/boot x=1, /);
    expect(lines.findIndex((l) => l.startsWith('verdict'))).toBeGreaterThan(findingsAt);
    expect(text).toMatch(/8 regressions, 0 improvements \(1 finding\), 24 without significant change/);
    // The verdict and B/A come first in every row of the table.
    const header = lines.find((l) => l.startsWith('verdict'))!;
    expect(header).toMatch(/^verdict +B\/A \[95 % CI\] +change +p adj\. +series +metric/);
    expect(lines[lines.indexOf(header) + 2]).toMatch(/^regression +1\.\d{3} \[1\.\d{3}, 1\.\d{3}\] +\+1\d\.\d % /);
  });

  it('Markdown: the changes only, largest effect first, cells escaped', () => {
    const base = run('A', 3, () => 1);
    const changed = run('B', 4, (backend, metric, workload) =>
      backend === 'tcg' && metric === 'work.ops_s' ? (workload === 'cpu' ? 0.7 : workload === 'disk' ? 1.3 : workload === 'net' ? 0.9 : 1) : 1,
    );
    for (const s of [...base, ...changed]) if (s.dims.workload === 'net') s.dims.workload = 'net|<b>x</b>';
    const md = renderCompareMarkdown(compareRuns({ id: 'A', samples: base }, { id: 'B', samples: changed }, options));
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| verdict'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| \*\*regression\*\* \| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] \| −3\d\.\d % \| .* \| tcg\/cpu x=1 \| work\.ops_s ↑ \|$/);
    expect(rows[1]).toMatch(/^\| improvement \| 1\.\d{3} .* tcg\/disk x=1 \|/);
    expect(rows[2]).toMatch(/tcg\/net\\\|&lt;b&gt;x&lt;\/b&gt; x=1/);
    expect(md).not.toMatch(/<b>/);
    expect(md).toMatch(/^### hvbench compare: `B` against baseline `A`/);
  });

  it('says "No changes" in Markdown when nothing changed', () => {
    const md = renderCompareMarkdown(compareRuns({ id: 'A', samples: run('A', 5, () => 1) }, { id: 'B', samples: run('B', 6, () => 1) }, options));
    expect(md).toMatch(/No changes among the 32 series compared\./);
  });
});

describe('compareWithin: the backend comparison', () => {
  it('gives verdicts from the interval at 3 repetitions and no p-value, and no findings', () => {
    const samples = run(
      'W',
      7,
      (backend, metric) => (backend === 'tcg' && metric === 'work.ops_s' ? 0.12 : backend === 'kvm' ? 1.01 : 1),
      ['native', 'kvm', 'tcg'],
      3,
    );
    const report = compareWithin({ id: 'W', samples }, 'backend', 'native', options);
    expect(report.findings).toEqual([]);
    expect(report.method.test).toMatch(/verdict from the 95 % interval of B\/A/);
    const tcgWork = report.rows.filter((r) => r.dims.backend === 'tcg' && r.metric === 'work.ops_s');
    expect(tcgWork.map((r) => r.comparison.verdict)).toEqual(Array(8).fill('worse'));
    expect(tcgWork.every((r) => r.comparison.pValue === undefined)).toBe(true);
    expect(report.counts.worse).toBeGreaterThanOrEqual(8);
    expect(Object.keys(report.counts).sort()).toEqual(['better', 'inconclusive', 'not-computable', 'similar', 'worse']);
    const text = renderCompare(report);
    expect(text).toMatch(/^worse +0\.1\d\d \[0\.\d{3}, 0\.\d{3}\] +−8\d\.\d % +tcg\/cpu x=1 +work\.ops_s ↑/m);
    expect(text).toMatch(/against backend native: \d+ worse, \d+ better, \d+ similar, \d+ inconclusive/);
    const md = renderCompareMarkdown(report);
    expect(md).toMatch(/\| \*\*worse\*\* \| 0\.1\d\d \[/);
  });
});
