import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../../src/report/html/escape.ts';
import { summaryTable } from '../../src/report/tables/cells.ts';
import { escapeLatex, latexTable, numericCell } from '../../src/report/tables/latex.ts';
import { escapeMarkdown, markdownTable } from '../../src/report/tables/markdown.ts';
import type { SummaryRow } from '../../src/report/summary.ts';
import { compileLatex, expectCleanLatexLog } from './validate-files.ts';

const row = (over: Partial<SummaryRow> = {}): SummaryRow => ({
  metric: 'cpu.events_per_s',
  unit: 'events/s',
  better: 'higher',
  column: 'threads=1',
  variant: 'tcg',
  device: undefined,
  n: 5,
  mean: 812.345,
  lo: 800.1,
  hi: 824.6,
  cv: 0.012,
  ratio: { reference: 'native', value: 0.2031, lo: 0.2, hi: 0.2062 },
  ...over,
});

describe('summary tables', () => {
  const table = summaryTable([row(), row({ variant: 'native', mean: 4000, lo: 3950, hi: 4050, ratio: { reference: 'native', value: 1, lo: 0.99, hi: 1.01 } })]);

  it('has readable metric names, mean, 95 % CI, CV and the ratio to the reference', () => {
    expect(table.header).toEqual(['metric', 'unit', 'configuration', 'backend', 'n', 'mean', '95 % CI', 'CV %', '÷ native [95 % CI]']);
    expect(table.rows[0]).toEqual(['CPU: sysbench events per second', 'events/s ↑', 'threads=1', 'tcg', '5', '812', '[800, 825]', '1.2', '0.203 [0.2, 0.206]']);
    expect(table.sections[0]).toBe('CPU: sysbench events per second (events/s) ↑');
    expect(summaryTable([row({ metric: 'disk.rand_read_clat_p99_us', unit: 'us', better: 'lower' })]).rows[0]!.slice(0, 2)).toEqual([
      'Disk: random read latency p99',
      'µs ↓',
    ]);
  });

  it('Markdown: a GitHub table, numbers right-aligned', () => {
    const md = markdownTable(table).trim().split('\n');
    expect(md[0]).toBe('| metric | unit | configuration | backend | n | mean | 95 % CI | CV % | ÷ native [95 % CI] |');
    expect(md[1]).toBe('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
    expect(md).toHaveLength(4);
    expect(escapeMarkdown('a|b <script>')).toBe('a\\|b &lt;script&gt;');
  });

  it('LaTeX: an xltabular at the text width, a line per metric and per configuration, numbers in \\num', () => {
    const tex = latexTable(table, 'Results & more');
    const lines = tex.split('\n');
    expect(lines).toContain('\\begin{xltabular}{\\textwidth}{@{}>{\\raggedright\\arraybackslash}Xrrrrr@{}}');
    for (const rule of ['\\toprule', '\\midrule', '\\bottomrule', '\\endhead']) expect(lines).toContain(rule);
    expect(tex).toContain('\\caption{Results \\& more}');
    expect(tex).toContain('{\\itshape CPU: sysbench events per second (events/s) $\\uparrow$} \\\\*');
    expect(tex).toContain('{\\hspace*{0.5em}threads=1} \\\\*');
    // The metric's and configuration's lines come once, then one row per variant.
    expect(lines.filter((l) => l.includes('\\itshape'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('{\\hspace*{0.5em}threads=1}'))).toHaveLength(1);
    expect(lines).toContain('\\hspace*{1em}tcg & \\num{5} & \\num{812} & [\\num{800}, \\num{825}] & \\num{1.2} & \\num{0.203} [\\num{0.2}, \\num{0.206}] \\\\');
    expect(lines).toContain('backend & n & mean & 95\\,\\% CI & CV \\% & $\\div$ native [95\\,\\% CI] \\\\');
    const body = lines.filter((l) => l.startsWith('\\hspace*{1em}'));
    expect(body).toHaveLength(2);
    for (const l of body) expect(l.split(' & ')).toHaveLength(6);
    expect(escapeLatex('a_b%c&d#e$f{g}h\\i^j~k<script>')).toBe(
      'a\\_b\\%c\\&d\\#e\\$f\\{g\\}h\\textbackslash{}i\\textasciicircum{}j\\textasciitilde{}k\\textless{}script\\textgreater{}',
    );
  });

  it('LaTeX: µ is \\textmu, the signs of the tables are math, other non-ASCII is ?', () => {
    expect(escapeLatex('latency (µs)')).toBe('latency (\\textmu{}s)');
    expect(escapeLatex('μs')).toBe('\\textmu{}s');
    // An interval without an upper bound (the explained share's): not a `?` in the PDF.
    expect(escapeLatex('[12, ∞ %]')).toBe('[12, $\\infty$ \\%]');
    expect(escapeLatex('0.12× ≈ ▲ ▼ ¹²')).toBe('0.12$\\times$ $\\approx$ $\\bigtriangleup$ $\\bigtriangledown$ \\textsuperscript{1}\\textsuperscript{2}');
    expect(escapeLatex('日本')).toBe('??');
    expect(numericCell('[1.23e-4, -0.5]')).toBe('[\\num{1.23e-4}, \\num{-0.5}]');
    expect(numericCell('–')).toBe('--');
  });

  it('LaTeX: compiles with pdflatex in a one-column article without an overfull box, with long configurations and wide numbers', async () => {
    const rows: SummaryRow[] = [];
    const configs = ['disk io=paravirtual queueDepth=16 runtimeSec=3 sizeMiB=128', 'cpu maxPrime=10000 threads=2 timeSec=5', 'boot'];
    for (const metric of ['disk.rand_read_clat_p99_us', 'cpu.events_per_s', 'host.cpu_s_per_gib']) {
      for (const column of configs) {
        for (const [variant, device] of [
          ['native', 'host file'],
          ['kvm', 'virtio-blk'],
          ['xen pvh', 'xen-vbd'],
          ['tcg', 'ide'],
        ] as const) {
          rows.push(
            row({
              metric,
              unit: metric.endsWith('_us') ? 'us' : 'events/s',
              column,
              variant,
              device,
              n: 10,
              mean: 123456.7,
              lo: 0.000123,
              hi: 98765432,
              cv: 1.234,
              ratio: { reference: 'native', value: 48267.75, lo: 0.0001234, hi: 123456.78 },
            }),
          );
        }
      }
    }
    const tex = latexTable(summaryTable(rows), 'hvbench report: standard: means with 95 % confidence intervals');
    expect(tex).toContain('\\textmu{}s');
    const log = await compileLatex(tex, 'onecolumn');
    expect(log).toContain('hvbench widths: column 345.0pt, text 345.0pt');
    expectCleanLatexLog(log, 'summary table');
  }, 240_000);
});

describe('HTML escaping', () => {
  it('escapes markup in text and attributes', () => {
    expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe('&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
  });

  it('keeps JSON in a script element from ending it, and parses back to the same value', () => {
    const value = { s: '</script><!-- \u2028 & >' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<|>|&/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
