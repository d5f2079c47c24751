import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOverview, type Overview, type OverviewCell } from '../../src/report/overview.ts';
import { overviewLatex } from '../../src/report/tables/overview-latex.ts';
import { overviewMarkdown } from '../../src/report/tables/overview-markdown.ts';
import { shortRatio } from '../../src/report/tables/overview-cells.ts';
import { overviewText } from '../../src/report/tables/overview-text.ts';
import { wrapText } from '../../src/report/tables/wrap.ts';
import type { Sample } from '../../src/results/sample.ts';
import { compareWithin } from '../../src/stats/compare-report.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';
import { sampleOverview } from './overview-fixture.ts';
import { compileLatex, expectCleanLatexLog } from './validate-files.ts';

const only = (o: Overview, variants: string[]): Overview => ({ ...o, variants });
/** Cells too wide for a first column of labels beside four variants (ratios of a thousandth). */
function withTinyRatios(o: Overview): Overview {
  const c: OverviewCell = { ratio: 0.0052, lo: 0.0012, hi: 0.0088, verdict: 'worse', n: 3, nReference: 3, notes: [] };
  const cells = Object.fromEntries(o.variants.map((v) => [v, c]));
  return {
    ...o,
    rows: [
      ...o.rows,
      {
        workload: 'net',
        configuration: 'io=paravirtual virtio-net',
        metric: 'net.rr_latency_p99_us',
        metricTitle: 'Network: request-response latency p99 (µs)',
        unit: 'us',
        better: 'lower',
        referenceNote: undefined,
        cells,
      },
    ],
  };
}

describe('compact ratios', () => {
  it('keep about two significant digits and the resolution near 1', () => {
    expect([2086.3, 112.94, 69.88, 1.024, 0.1212, 0.05341, 0.00052, undefined].map(shortRatio)).toEqual([
      '2086',
      '113',
      '69.9',
      '1.02',
      '0.12',
      '0.053',
      '5.2e-4',
      '–',
    ]);
  });

  it('wrap breaks at spaces and cuts words longer than a line', () => {
    expect(wrapText('disk (io=paravirtual virtio-blk)', 12)).toEqual(['disk', '(io=paravirt', 'ual', 'virtio-blk)']);
    expect(wrapText('', 10)).toEqual(['']);
  });
});

describe('overview as Markdown', () => {
  const md = overviewMarkdown(sampleOverview());
  const lines = md.split('\n');

  it('has the variants as columns and a row per workload configuration and metric', () => {
    expect(lines[0]).toBe('| workload — metric | kvm | xen pv | xen pvh | tcg |');
    expect(lines[1]).toBe('| --- | ---: | ---: | ---: | ---: |');
    const rows = lines.filter((l) => l.startsWith('| ') && !l.startsWith('| workload') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(7);
    // Every row has as many cells as the header (no unescaped pipe inside a cell).
    for (const r of rows) expect(r.replace(/\\\|/g, '').split(' | ')).toHaveLength(5);
  });

  it('writes cells as ratio×, interval, mark and verdict; a variant that did not run is –', () => {
    expect(md).toContain(
      '| cpu (threads=1) — CPU: sysbench events per second (events/s) ↑ | 0.99× [0.98, 1.00] ≈ similar | 0.98× [0.96, 0.99] ≈ similar | 0.98× [0.97, 1.00] ≈ similar | 0.12× [0.053, 0.26] ▼ worse |',
    );
    expect(md).toContain(
      '| cpu (threads=2) — CPU: sysbench events per second (events/s) ↑ | 0.98× [0.95, 1.01] ≈ similar | 0.93× [0.82, 1.06] ? inconclusive |',
    );
    expect(md).toContain(
      '| boot — Boot: time to agent ready (ms) ↓ | 1.62× [1.48, 1.77] ▼ worse | 2.41× [2.02, 2.88] ▼ worse | 1.97× [1.70, 2.28] ▼ worse | 113× [6.11, 2086] ▼ worse |',
    );
    expect(md).toContain('| disk (virtio-blk)¹ — Disk: random read latency p99 (µs) ↓ | 1.31× [1.12, 1.53] ▼ worse | – | – | 8.74× [5.90, 12.9] ▼ worse |');
  });

  it('says what the numbers are, which way is better, and puts the notes in footnotes', () => {
    expect(md).toContain(
      'Cells: ratio to native (mean ÷ mean) with its 95 % interval; 3 repetitions per series. ↑ higher is better, ↓ lower is better. ▲ better than native, ▼ worse',
    );
    expect(lines).toContain('- ¹ native has no device: its host file is the reference for every device model');
    expect(lines).toContain('- ² tcg: guest clocksource: tsc-early, tsc');
    expect(md).toContain('38.7× [30.1, 49.8] ▼ worse² |');
    // The deviceless note is one footnote, marked on each disk row.
    expect(lines.filter((l) => l.includes('¹ —'))).toHaveLength(3);
  });

  it('names the repetitions in each cell when they differ, and escapes Markdown in names', () => {
    const o = sampleOverview();
    o.variants = ['kvm', 'a|b <i>'];
    o.rows[0]!.cells['a|b <i>'] = { ratio: 1.5, lo: 1.2, hi: 1.9, verdict: 'worse', n: 10, nReference: 3, notes: [] };
    const text = overviewMarkdown(o);
    expect(text.split('\n')[0]).toBe('| workload — metric | kvm | a\\|b &lt;i&gt; |');
    expect(text).toContain('1.50× [1.20, 1.90] ▼ worse (n=10/3) |');
    expect(text).toContain('n = repetitions of the backend / of native; 3–10 repetitions per series');
  });
});

describe('overview as text', () => {
  it('stays within 100 characters for three variants, with the legend above and footnotes below', () => {
    const text = overviewText(only(sampleOverview(), ['kvm', 'xen pv', 'tcg']));
    const lines = text.trimEnd().split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(100);
    expect(lines[0]).toBe('Ratio to native (mean ÷ mean) with its 95 % interval; 3 repetitions per series.');
    expect(lines[1]).toMatch(/^↑ higher is better, ↓ lower is better\. ▲ better than native, ▼ worse, ≈ similar/);
    expect(text).toContain('cpu — CPU: sysbench events per second (events/s) ↑');
    expect(lines.find((l) => l.startsWith('  threads=1'))).toMatch(
      /^ {2}threads=1 +0\.99× \[0\.98, 1\.00\] ≈ +0\.98× \[0\.96, 0\.99\] ≈ +0\.12× \[0\.053, 0\.26\] ▼$/,
    );
    expect(lines.find((l) => l.startsWith('  virtio-blk¹'))).toMatch(/1\.31× \[1\.12, 1\.53\] ▼ +– +8\.74× \[5\.90, 12\.9\] ▼$/);
    expect(lines).toContain('¹ native has no device: its host file is the reference for every device model');
    expect(lines).toContain('² tcg: guest clocksource: tsc-early, tsc');
  });

  it('aligns the columns: every variant name ends where its cells end', () => {
    const lines = overviewText(only(sampleOverview(), ['kvm', 'xen pv', 'tcg'])).split('\n');
    const header = lines.find((l) => l.startsWith('workload'))!;
    const end = header.indexOf('xen pv') + 'xen pv'.length;
    const row = lines.find((l) => l.startsWith('  threads=2'))!;
    expect([...row].slice(0, end).join('')).toMatch(/0\.93× \[0\.82, 1\.06\] \?$/);
  });

  it('wraps a long label in the first column instead of widening the table', () => {
    const o = sampleOverview();
    o.rows[3]!.configuration = 'io=paravirtual queueDepth=16 runtimeSec=3 sizeMiB=128 virtio-blk';
    const lines = overviewText(only(o, ['kvm', 'xen pv', 'tcg'])).split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(100);
    const first = lines.findIndex((l) => l.startsWith('  io=paravirtual'));
    expect(lines[first]).toContain('1.31× [1.12, 1.53] ▼');
    expect(lines[first + 1]).toMatch(/^ {4}\S/);
  });
});

describe('overview as LaTeX', () => {
  it('sets numbers with \\num, the interval under the ratio, marks and units as LaTeX', () => {
    const tex = overviewLatex(sampleOverview(), 'Backends against native: 95 % intervals');
    expect(tex.split('\n')[0]).toBe('% Requires \\usepackage{siunitx,booktabs,tabularx}');
    expect(tex).toContain('\\begin{table}');
    expect(tex).toContain('\\begin{tabularx}{\\columnwidth}{@{}>{\\raggedright\\arraybackslash}X*{4}{c}@{}}');
    expect(tex).toContain('\\caption{Backends against native: 95\\,\\% intervals}');
    expect(tex).toContain('workload & kvm & xen pv & xen pvh & tcg \\\\');
    expect(tex).toContain('\\begin{tabular}[t]{@{}c@{}}\\num{0.12}\\,$\\bigtriangledown$\\\\{\\scriptsize [\\num{0.053},\\,\\num{0.26}]}\\end{tabular}');
    expect(tex).toContain('{\\itshape disk --- Disk: random read latency p99 (\\textmu{}s) $\\downarrow$}');
    expect(tex).toContain('\\hangindent=1em\\hspace*{0.5em}virtio-blk\\textsuperscript{1} & ');
    expect(tex).toContain('\\num{38.7}\\,$\\bigtriangledown$\\textsuperscript{2}');
    expect(tex).toContain('\\textsuperscript{1}native has no device: its host file is the reference for every device model\\par');
    expect(tex).toContain('95\\,\\% interval beneath; 3 repetitions per series. $\\uparrow$ higher is better');
    expect(tex).not.toMatch(/\?s\)/);
  });

  it('gives each label its own line when the cells leave no room for a first column, and goes across the page beyond four variants', () => {
    const stacked = overviewLatex(withTinyRatios(sampleOverview()), 'x');
    expect(stacked).toContain('\\begin{tabularx}{\\columnwidth}{@{}*{4}{>{\\centering\\arraybackslash}X}@{}}');
    expect(stacked).toContain('{\\hangindent=1em\\hspace*{0.5em}threads=1} \\\\*');
    const o = sampleOverview();
    o.variants = [...o.variants, 'xen hvm'];
    const wide = overviewLatex(o, 'x');
    expect(wide).toContain('\\begin{table*}');
    expect(wide).toContain('\\begin{tabularx}{\\textwidth}');
  });

  it('compiles in one column of a two-column article (229.5 pt) without an overfull box', async () => {
    const cases: [string, Overview][] = [
      ['four variants', sampleOverview()],
      ['three variants', only(sampleOverview(), ['kvm', 'xen pv', 'tcg'])],
      ['four variants, ratios of a thousandth', withTinyRatios(sampleOverview())],
      ['five variants across the page', { ...sampleOverview(), variants: ['kvm', 'xen pv', 'xen pvh', 'xen hvm', 'tcg'] }],
    ];
    for (const [what, o] of cases) {
      const log = await compileLatex(overviewLatex(o, 'Every backend against native: ratio of means with 95 % intervals'), 'twocolumn');
      expect(log).toContain('hvbench widths: column 229.5pt');
      expectCleanLatexLog(log, what);
    }
  }, 240_000);

  it('the check fails on a table wider than the column', async () => {
    const tooWide = overviewLatex(sampleOverview(), 'x').replace('\\footnotesize', '\\Large');
    const log = await compileLatex(tooWide, 'twocolumn');
    expect(() => expectCleanLatexLog(log, 'large type')).toThrow(/wider than the page or column/);
  }, 120_000);
});

describe('overview of a real native + tcg run', () => {
  it('renders the comparison of the captured run in all three forms, and the LaTeX compiles', async () => {
    const file = path.join(import.meta.dirname, '../fixtures/runs/native-tcg-local/samples.jsonl');
    const samples = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Sample);
    const report = compareWithin({ id: 'fixture', samples }, 'backend', 'native', { ignore: new Set(), settings: (m) => settingsFor(m, []) });
    const overview = buildOverview(
      report,
      new Set(['boot.to_ready_ms', 'cpu.events_per_s', 'memory.read_mib_s', 'disk.seq_read_mib_s', 'micro.timer_latency_avg_us']),
    )!;
    expect(overview.reference).toBe('native');
    expect(overview.variants).toEqual(['tcg']);
    const md = overviewMarkdown(overview);
    const cpu = md.split('\n').find((l) => l.includes('CPU: sysbench events per second'))!;
    const cell = overview.rows.find((r) => r.metric === 'cpu.events_per_s')!.cells.tcg!;
    expect(cpu).toContain(`${shortRatio(cell.ratio)}× [${shortRatio(cell.lo)}, ${shortRatio(cell.hi)}]`);
    expect(cell.ratio!).toBeLessThan(1);
    // Native's host file is the reference of tcg's virtio-blk disk, and the table says so; the clocksource that varied between tcg's boots is a footnote.
    const disk = md.split('\n').find((l) => l.includes('Disk: sequential read'))!;
    const mark = /^\| disk(\S) — /.exec(disk)![1]!;
    expect(md).toContain(`- ${mark} native has no device: its host file is the reference for every device model`);
    expect(md).toMatch(/- \S tcg: guest clocksource: /);
    for (const l of overviewText(overview).split('\n')) expect([...l].length, l).toBeLessThanOrEqual(100);
    expectCleanLatexLog(await compileLatex(overviewLatex(overview, 'native and tcg'), 'twocolumn'), 'real run');
  }, 120_000);
});
