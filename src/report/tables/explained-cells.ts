import { fmtNumber } from '../../stats/format.ts';
import { topTerms } from '../../stats/explained.ts';
import type { Explained, ExplainedRow, ExplainedShare } from '../explained.ts';
import { superscript } from './overview-cells.ts';

/**
 * What the HTML, Markdown and LaTeX renderings of "where the time goes" share, as plain
 * unescaped text: one row per variant, workload configuration and step, the cells below.
 */

export function explainedHeader(reference: string | undefined): string[] {
  return ['case', reference === undefined ? 'throughput' : `gap to ${reference}`, 'explained', 'unexplained', 'top events', 'counts'];
}

/** `37 %`: a share of b's step time, whole per cent (one decimal below 10 %). */
export function pct(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  const v = x * 100;
  const text = Math.abs(v) < 10 ? v.toFixed(1) : Math.round(v).toString();
  return `${text.replace('-', '−')} %`;
}

/** `48 % of the gap [41, 55]`, `over-explained: 130 % of the gap […]`, or why there is none. */
export function shareText(row: ExplainedRow): string {
  const m = row.model;
  if (!m) return 'not modelled';
  // No reference to set the step against: the events' time as a share of the step's.
  if (m.gap === undefined) return `${pct(m.explained)} of the step [${pct(m.explainedCi.lo).replace(' %', '')}, ${pct(m.explainedCi.hi)}]`;
  if (m.share === undefined) return 'no gap to explain';
  const ci = m.shareCi ? ` [${pct(m.shareCi.lo).replace(' %', '')}, ${pct(m.shareCi.hi)}]` : '';
  return `${m.overExplained ? 'over-explained: ' : ''}${pct(m.share)} of the gap${ci}`;
}

/**
 * The gap as a share of b's step time with the throughputs it comes from: `75 % (2000 vs
 * 8000 IOPS)`; in a table with a reference, a row without its counterpart says so, so its
 * throughput is not read as a gap.
 */
export function gapText(row: ExplainedRow, reference?: string): string {
  const w = row.work;
  if (row.variant === reference) return w ? `the reference (${fmtNumber(w.b)} ${w.unit})` : 'the reference';
  if (!w) return '–';
  const of = w.reference === undefined ? `${fmtNumber(w.b)} ${w.unit}` : `${fmtNumber(w.b)} vs ${fmtNumber(w.reference)} ${w.unit}`;
  const gap = row.model?.gap ?? (w.reference === undefined ? undefined : 1 - w.b / w.reference);
  if (gap === undefined) return reference === undefined ? of : `no ${reference} case (${of})`;
  // More work than the reference: no gap, whatever the model would say of it.
  return gap <= 0 ? `none, faster (${of})` : `${pct(gap)} (${of})`;
}

/** `port I/O exits 32 % (36000/s × 9000 ns)`, the three that explain the most; `–` without a model (its reason is a note). */
export function topText(row: ExplainedRow): string {
  if (!row.model) return '–';
  const top = topTerms(row.model);
  if (top.length === 0) return 'no counted event has a unit cost here';
  return top.map((t) => `${t.label} ${pct(t.explained)} (${fmtNumber(t.ratePerS)}/s × ${fmtNumber(t.costNs)} ns)`).join('; ');
}

/** The counts themselves, per operation where the step counts operations, else per second: at most `k`, largest first. */
export function countsText(row: ExplainedRow, k = 4): string {
  const perOp = row.counts.some((c) => c.perOp !== undefined);
  const items = row.counts
    .map((c) => ({ c, v: perOp ? (c.perOp ?? 0) : c.perS }))
    .filter((x) => x.v > 0)
    .sort((a, b) => b.v - a.v)
    .slice(0, k);
  if (items.length === 0) return 'none counted';
  return `${items.map((x) => `${x.c.counter} ${fmtNumber(x.v)}`).join(', ')} ${perOp ? 'per op' : 'per s'}`;
}

/**
 * A row's cells; `note` gives the mark of a footnote (`¹`) for a reason shared by many rows
 * (why a case is not modelled), so the table says it once, under it.
 */
export function explainedCells(row: ExplainedRow, note: (text: string) => string, reference?: string): string[] {
  const isReference = reference !== undefined && row.variant === reference;
  return [
    row.label,
    gapText(row, reference),
    isReference ? '–' : row.notModelled === undefined ? shareText(row) : `not modelled${note(row.notModelled)}`,
    row.model?.unexplained === undefined ? '–' : pct(row.model.unexplained),
    topText(row),
    `${countsText(row)}${row.eventSource ? ` (${row.eventSource})` : ''}`,
  ];
}

/** A table's rows as cells, with the notes their marks number (the marks are superscript digits). */
export function explainedTable(explained: Explained): { rows: string[][]; notes: string[] } {
  const notes: string[] = [];
  const note = (text: string) => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return superscript(i + 1);
  };
  return { rows: shownRows(explained).map((r) => explainedCells(r, note, explained.reference)), notes };
}

/**
 * The rows the table shows: every counted step, the reference's own too (its counts are the
 * baseline the others' are read against: native's page faults and context switches), first.
 */
export function shownRows(explained: Explained): ExplainedRow[] {
  const isReference = (r: ExplainedRow) => r.variant === explained.reference;
  return [...explained.rows].sort((a, b) => Number(isReference(b)) - Number(isReference(a)));
}

/** The rows that are set against the reference (all rows without one). */
export function comparedRows(explained: Explained): ExplainedRow[] {
  return explained.rows.filter((r) => r.variant !== explained.reference);
}

/** What the table and figure are, in a few sentences. */
export function explainedLegend(reference: string | undefined): string {
  if (reference === undefined)
    return "No reference (native) in the runs, so no gap: explained is the time the step's counted events take at their unit costs (Σ events/s × the micro workload's figure on the same backend) as a share of the step's time, with its 95 % bootstrap interval over the repetitions. A model, not a measurement: see docs/overhead.md for where it is weak (batching, overlapping costs, costs that depend on the exit's payload).";
  return `Gap to ${reference}: 1 − work/${reference}'s work on the same step, the share of the backend's step time ${reference} would not need. Explained: Σ events/s × unit cost (the micro workload's figure on the same backend less ${reference}'s), as a share of that gap, with its 95 % bootstrap interval over the repetitions; over 100 % means the model double counts overlapping costs. Unexplained: the gap less the explained time. A model, not a measurement: see docs/overhead.md for where it is weak (batching, overlapping costs, costs that depend on the exit's payload).`;
}

/** `48 %` for the overview's explained column, `–` without one. */
export function overviewShareText(s: ExplainedShare | undefined): string {
  if (!s) return '–';
  const ci = s.lo === undefined || s.hi === undefined ? '' : ` [${pct(s.lo).replace(' %', '')}, ${pct(s.hi)}]`;
  return `${s.overExplained ? '>' : ''}${pct(s.share)}${ci}`;
}
