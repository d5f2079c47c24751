import { fmtNumber } from '../../stats/format.ts';
import type { SummaryRow } from '../summary.ts';

/** The cells of a summary table, shared by the HTML, Markdown and LaTeX renderings (plain text, unescaped). */

export interface SummaryTable {
  header: string[];
  /** Columns holding numbers (right-aligned). */
  numeric: boolean[];
  rows: string[][];
}

export function summaryTable(rows: readonly SummaryRow[]): SummaryTable {
  const reference = rows.find((r) => r.ratio)?.ratio?.reference;
  const header = ['metric', 'unit', 'configuration', 'backend', 'n', 'mean', '95 % CI', 'CV %', ...(reference ? [`÷ ${reference} [95 % CI]`] : [])];
  const numeric = [false, false, false, false, true, true, true, true, ...(reference ? [true] : [])];
  return {
    header,
    numeric,
    rows: rows.map((r) => [
      r.metric,
      `${r.unit} ${r.better === 'higher' ? '↑' : '↓'}`,
      r.device ? `${r.column} (${r.device})` : r.column,
      r.variant,
      String(r.n),
      fmtNumber(r.mean),
      interval(r.lo, r.hi),
      r.cv === undefined ? '–' : fmtNumber(r.cv * 100),
      ...(reference ? [r.ratio ? `${r.ratio.value.toFixed(3)} ${interval(r.ratio.lo, r.ratio.hi, 3)}` : '–'] : []),
    ]),
  };
}

function interval(lo: number | undefined, hi: number | undefined, decimals?: number): string {
  if (lo === undefined || hi === undefined) return '–';
  const f = (x: number) => (decimals === undefined ? fmtNumber(x) : x.toFixed(decimals));
  return `[${f(lo)}, ${f(hi)}]`;
}
