import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../../src/report/html/escape.ts';
import { summaryTable } from '../../src/report/tables/cells.ts';
import { escapeLatex, latexTable } from '../../src/report/tables/latex.ts';
import { escapeMarkdown, markdownTable } from '../../src/report/tables/markdown.ts';
import type { SummaryRow } from '../../src/report/summary.ts';

const row = (over: Partial<SummaryRow> = {}): SummaryRow => ({ metric: 'cpu.events_per_s', unit: 'events/s', better: 'higher', column: 'threads=1', variant: 'tcg', device: undefined, n: 5, mean: 812.345, lo: 800.1, hi: 824.6, cv: 0.012, ratio: { reference: 'native', value: 0.2031, lo: 0.2, hi: 0.2062 }, ...over });

describe('summary tables', () => {
  const table = summaryTable([row(), row({ variant: 'native', mean: 4000, lo: 3950, hi: 4050, ratio: { reference: 'native', value: 1, lo: 0.99, hi: 1.01 } })]);

  it('has mean, 95 % CI, CV and the ratio to the reference', () => {
    expect(table.header).toEqual(['metric', 'unit', 'configuration', 'backend', 'n', 'mean', '95 % CI', 'CV %', '÷ native [95 % CI]']);
    expect(table.rows[0]).toEqual(['cpu.events_per_s', 'events/s ↑', 'threads=1', 'tcg', '5', '812', '[800, 825]', '1.2', '0.203 [0.200, 0.206]']);
  });

  it('Markdown: a GitHub table, numbers right-aligned', () => {
    const md = markdownTable(table).trim().split('\n');
    expect(md[0]).toBe('| metric | unit | configuration | backend | n | mean | 95 % CI | CV % | ÷ native [95 % CI] |');
    expect(md[1]).toBe('| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
    expect(md).toHaveLength(4);
    expect(escapeMarkdown('a|b <script>')).toBe('a\\|b &lt;script&gt;');
  });

  it('LaTeX: booktabs rules, escaped cells, as many cells per row as columns', () => {
    const tex = latexTable(table, 'Results & more');
    expect(tex).toContain('\\begin{tabular}{llllrrrrr}');
    for (const rule of ['\\toprule', '\\midrule', '\\bottomrule']) expect(tex.split('\n')).toContain(rule);
    expect(tex).toContain('\\caption{Results \\& more}');
    const body = tex.split('\n').filter((l) => l.endsWith('\\\\'));
    expect(body).toHaveLength(3);
    for (const l of body) expect(l.split(' & ')).toHaveLength(9);
    expect(body[0]).toContain('95 \\% CI');
    expect(body[1]).toContain('cpu.events\\_per\\_s & events/s $\\uparrow$');
    expect(escapeLatex('a_b%c&d#e$f{g}h\\i^j~k<script>')).toBe('a\\_b\\%c\\&d\\#e\\$f\\{g\\}h\\textbackslash{}i\\textasciicircum{}j\\textasciitilde{}k\\textless{}script\\textgreater{}');
  });
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
