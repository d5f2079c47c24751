import { fmtNumber } from '../../stats/format.ts';
import { metricName, metricTitle, unitLabel } from '../metric-names.ts';
import type { SummaryRow } from '../summary.ts';

/** The cells of a summary table, shared by the Markdown and LaTeX renderings (plain text, unescaped). */

export interface SummaryTable {
  header: string[];
  /** Columns holding numbers (right-aligned). */
  numeric: boolean[];
  rows: string[][];
  /**
   * Per row: the metric's readable title with its unit and direction
   * (`Disk: sequential read (MiB/s) ↑`), its configuration, and the variant with its device
   * (`tcg (virtio-blk)`). The LaTeX table sets the first two as lines of their own above
   * their rows and the variant as the first cell, in place of the first `foldedColumns`
   * columns (metric, unit, configuration, backend).
   */
  sections: string[];
  configurations: string[];
  variants: string[];
  foldedColumns: number;
}

export function summaryTable(rows: readonly SummaryRow[]): SummaryTable {
  const reference = rows.find((r) => r.ratio)?.ratio?.reference;
  const header = ['metric', 'unit', 'configuration', 'backend', 'n', 'mean', '95 % CI', 'CV %', ...(reference ? [`÷ ${reference} [95 % CI]`] : [])];
  const numeric = [false, false, false, false, true, true, true, true, ...(reference ? [true] : [])];
  return {
    header,
    numeric,
    rows: rows.map((r) => [
      metricName(r.metric),
      `${unitLabel(r.unit)} ${arrow(r.better)}`,
      r.device ? `${r.column} (${r.device})` : r.column,
      r.variant,
      String(r.n),
      fmtNumber(r.mean),
      interval(r.lo, r.hi),
      r.cv === undefined ? '–' : fmtNumber(r.cv * 100),
      ...(reference ? [r.ratio ? `${fmtNumber(r.ratio.value)} ${interval(r.ratio.lo, r.ratio.hi)}` : '–'] : []),
    ]),
    sections: rows.map((r) => `${metricTitle(r.metric, r.unit)} ${arrow(r.better)}`),
    configurations: rows.map((r) => r.column),
    variants: rows.map((r) => (r.device ? `${r.variant} (${r.device})` : r.variant)),
    foldedColumns: 4,
  };
}

function arrow(better: SummaryRow['better']): string {
  return better === 'higher' ? '↑' : '↓';
}

function interval(lo: number | undefined, hi: number | undefined): string {
  if (lo === undefined || hi === undefined) return '–';
  return `[${fmtNumber(lo)}, ${fmtNumber(hi)}]`;
}
