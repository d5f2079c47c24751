import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import { metricName } from '../../src/report/metric-names.ts';
import { explainedSpec } from '../../src/report/specs/explained.ts';
import { explainedLatex } from '../../src/report/tables/explained-latex.ts';
import { explainedMarkdown } from '../../src/report/tables/explained-markdown.ts';
import { overviewLatex } from '../../src/report/tables/overview-latex.ts';
import { overviewMarkdown } from '../../src/report/tables/overview-markdown.ts';
import { overviewText } from '../../src/report/tables/overview-text.ts';
import { writeReport } from '../../src/report/write.ts';
import { explainedSamples } from './explained-fixture.ts';
import { reportInput, reportRun } from './fixtures.ts';
import { compileLatex, expectCleanLatexLog } from './validate-files.ts';

const input = reportInput([reportRun('r1', '2026-12-06T00:00:00Z', explainedSamples())], { headlines: new Set(['disk.rand_read_iops']) });
const model = buildReport(input);

describe('where the time goes, in the report', () => {
  it('models each counted step against native and lists the rest with the reason', () => {
    const rows = model.explained!.rows;
    const ide = rows.find((r) => r.variant === 'kvm' && r.configuration.disk_model === 'ide')!;
    expect(ide.label).toBe('kvm · disk (ide) · randread');
    expect(ide.model!.gap).toBeCloseTo(0.75, 2);
    // 36 000/s × 9 µs + (90 000 − 36 000 − 20 000)/s × 1.1 µs = 0.3614 of the step time.
    expect(ide.model!.explained).toBeCloseTo(0.3614, 3);
    expect(ide.model!.share).toBeCloseTo(0.3614 / 0.75, 2);
    expect(rows.find((r) => r.variant === 'tcg')!.notModelled).toMatch(/TCG's cost is translation/);
  });

  it('draws one stacked bar per modelled case, native first, the unexplained rest last', () => {
    const spec = explainedSpec(model.explained!)!;
    expect(() => compile(spec)).not.toThrow();
    const data = (spec as unknown as { data: { values: { row: string; part: string; share: number }[] } }).data.values;
    const ide = data.filter((d) => d.row.startsWith('kvm · disk (ide)'));
    expect(ide.map((d) => d.part)).toEqual(["native's time", 'port I/O exits', 'other exits', 'unexplained']);
    expect(ide.reduce((s, d) => s + d.share, 0)).toBeCloseTo(1, 3);
    expect(model.charts.map((c) => c.id)).toContain('explained');
    // The counts have the section: not a bar chart each (a counted suite has hundreds).
    expect(model.charts.filter((c) => c.id.startsWith('metric-events.'))).toEqual([]);
    expect(model.charts.map((c) => c.id)).toContain('metric-disk.rand_read_iops');
  });

  it('writes the Markdown and LaTeX tables; the LaTeX compiles', async () => {
    const md = explainedMarkdown(model.explained!);
    expect(md.split('\n')[0]).toBe('| case | gap to native | explained | unexplained | top events | counts |');
    expect(md).toMatch(
      /\| kvm · disk \(ide\) · randread \| 75 % \(2000 vs 8000 IOPS\) \| 48 % of the gap \[\d+, \d+ %\] \| 39 % \| port I\/O exits 32 % \(36000\/s × 9000 ns\); other exits/,
    );
    expect(md).toContain('| tcg · disk (ide) · randread | 94 % (500 vs 8000 IOPS) | not modelled¹ | – | – |');
    expect(md).toContain("- ¹ not modelled: TCG's cost is translation");
    expect(md).toContain('tb_count 6, tb_invalidations 0.08 per op (qemu-jit)');
    expectCleanLatexLog(await compileLatex(explainedLatex(model.explained!, 'Where the time goes'), 'onecolumn'), 'explained.tex');
  }, 60_000);

  it('puts an explained column next to the ratio in the overview', async () => {
    const o = model.overview!;
    expect(o.explained).toBe(true);
    const cell = o.rows.find((r) => r.metric === 'disk.rand_read_iops' && r.cells['kvm']?.device === 'ide')!.cells['kvm']!;
    expect(cell.explained?.step).toBe('randread');
    const md = overviewMarkdown(o);
    expect(md.split('\n')[0]).toBe('| workload — metric | kvm | kvm explained | tcg |');
    expect(md).toMatch(/\| 48 % \[\d+, \d+ %\] \|/);
    expect(overviewText(o)).toContain('kvm explained');
    expectCleanLatexLog(await compileLatex(overviewLatex(o, 'Overview'), 'twocolumn'), 'overview.tex with an explained column');
  }, 60_000);

  it('writes the section and its files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hvb-explained-'));
    try {
      const written = await writeReport(model, dir, { figures: false });
      expect(written.files).toEqual(expect.arrayContaining(['explained.md', 'explained.tex', 'explained.vl.json']));
      const page = await readFile(path.join(dir, 'index.html'), 'utf8');
      expect(page).toContain('<a href="#explained">Where the time goes</a>');
      expect(page).toContain('<section id="explained">');
      expect(page).toContain('<th class="num explained">explained</th>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the counted metrics readably', () => {
    expect(metricName('events.randread.io_exits_per_op')).toBe('Events of randread: io_exits per operation');
    expect(metricName('events.net-rr.exits_per_s')).toBe('Events of net-rr: exits per second');
    expect(metricName('events.cpu.work_per_s')).toBe('Events of cpu: the work per second');
  });

  it('has no section without counted events', () => {
    const plain = buildReport(
      reportInput([
        reportRun(
          'r1',
          '2026-12-06T00:00:00Z',
          explainedSamples().filter((s) => !s.metric.startsWith('events.')),
        ),
      ]),
    );
    expect(plain.explained).toBeUndefined();
    expect(plain.overview?.explained).toBeUndefined();
  });
});
