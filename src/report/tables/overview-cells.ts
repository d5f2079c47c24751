import type { Better } from '../../results/sample.ts';
import type { Overview, OverviewCell, OverviewRow } from '../overview.ts';

/**
 * What the Markdown, LaTeX and text renderings of the overview share, as plain unescaped
 * text: the compact number format, the verdict marks, the row labels, the footnotes and
 * the sentences that say what the numbers are.
 */

/** Ratio marks: the verdict of the backend comparison, read from the interval. */
const MARKS: Readonly<Record<string, string>> = { worse: '▼', better: '▲', similar: '≈', inconclusive: '?' };

/** `▼` for worse, `▲` better, `≈` similar, `?` inconclusive, `–` for anything else (not computable). */
export function verdictMark(verdict: string): string {
  return MARKS[verdict] ?? '–';
}

/** The verdict as a word: `worse`, `not computable`. */
export function verdictText(verdict: string): string {
  return verdict === 'not-computable' ? 'not computable' : verdict;
}

/**
 * A ratio short enough for a table cell, with about two significant digits and the
 * resolution a ratio near 1 needs: 2086, 113, 69.9, 1.02, 0.12, 0.052, 5.2e-4.
 */
export function shortRatio(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e5 || abs < 1e-3) return x.toExponential(1);
  if (abs >= 100) return Math.round(x).toString();
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 0.1) return x.toFixed(2);
  return Number(x.toPrecision(2)).toString();
}

/** `[0.05, 0.26]`, or '' when the interval is unknown. */
export function shortInterval(cell: Pick<OverviewCell, 'lo' | 'hi'>): string {
  if (cell.lo === undefined || cell.hi === undefined || !Number.isFinite(cell.lo) || !Number.isFinite(cell.hi)) return '';
  return `[${shortRatio(cell.lo)}, ${shortRatio(cell.hi)}]`;
}

export function betterArrow(better: Better): string {
  return better === 'higher' ? '↑' : '↓';
}

/** `cpu (threads=2)`: what was run, without the metric. */
export function caseLabel(row: Pick<OverviewRow, 'workload' | 'configuration'>): string {
  return row.configuration === '' ? row.workload : `${row.workload} (${row.configuration})`;
}

/** `CPU: sysbench events per second (events/s) ↑`. */
export function metricLabel(row: Pick<OverviewRow, 'metricTitle' | 'better'>): string {
  return `${row.metricTitle} ${betterArrow(row.better)}`;
}

/** Superscript digits for footnote marks: 1 → `¹`, 12 → `¹²`. */
export function superscript(n: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return [...String(n)].map((d) => digits[Number(d)]).join('');
}

/** Numbered footnotes: a note seen twice keeps its first number. */
export class Footnotes {
  readonly texts: string[] = [];

  /** The note's number (1-based). */
  mark(text: string): number {
    const i = this.texts.indexOf(text);
    if (i >= 0) return i + 1;
    this.texts.push(text);
    return this.texts.length;
  }
}

/** The footnote numbers of a row's reference note (on the label) and of each cell's notes. */
export interface RowNotes {
  label: number[];
  cells: Record<string, number[]>;
}

/** Numbers every note of the overview in reading order (row by row, cells in column order). */
export function numberNotes(overview: Overview, rows: readonly OverviewRow[] = overview.rows): { notes: RowNotes[]; footnotes: string[] } {
  const footnotes = new Footnotes();
  const notes = rows.map((row): RowNotes => {
    const label = row.referenceNote === undefined ? [] : [footnotes.mark(row.referenceNote)];
    const cells: Record<string, number[]> = {};
    for (const v of overview.variants) {
      const cell = row.cells[v];
      if (cell && cell.notes.length > 0) cells[v] = cell.notes.map((n) => footnotes.mark(`${v}: ${n}`));
    }
    return { label, cells };
  });
  return { notes, footnotes: footnotes.texts };
}

/** `ratio to native (mean ÷ mean) with its 95 % interval`. */
export function whatTheNumbersAre(overview: Pick<Overview, 'reference'>): string {
  return `ratio to ${overview.reference} (mean ÷ mean) with its 95 % interval`;
}

/** The verdict marks explained, relative to the reference. */
export function marksLegend(overview: Pick<Overview, 'reference'>): string {
  return `▲ better than ${overview.reference}, ▼ worse, ≈ similar (interval within the noise band), ? inconclusive (interval contains 1), – no figure`;
}

/** The smallest and largest number of repetitions of any series (variant or reference); undefined without cells. */
export function repetitionRange(overview: Overview): { min: number; max: number } | undefined {
  const counts = overview.rows.flatMap((r) => Object.values(r.cells).flatMap((c) => [c.n, c.nReference]));
  return counts.length === 0 ? undefined : { min: Math.min(...counts), max: Math.max(...counts) };
}

/** `3 repetitions per series` when every series has the same count; otherwise the range (cells then name their own). */
export function repetitionsText(overview: Overview): string {
  const range = repetitionRange(overview);
  if (range === undefined) return 'no series';
  if (range.min === range.max) return `${range.min} repetition${range.min === 1 ? '' : 's'} per series`;
  return `${range.min}–${range.max} repetitions per series`;
}

/** True when the series do not all have the same number of repetitions. */
export function repetitionsVary(overview: Overview): boolean {
  const range = repetitionRange(overview);
  return range !== undefined && range.min !== range.max;
}

export interface MetricGroup {
  /** `cpu — CPU: sysbench events per second (events/s) ↑` when every row is of one workload, else the metric alone. */
  title: string;
  rows: OverviewRow[];
  /** Per row: the configuration (`threads=2`) when the title names the workload, else `cpu (threads=2)`. */
  labels: string[];
}

/** Rows grouped by metric, in the order of first appearance, each group keeping its rows' order. */
export function rowsByMetric(rows: readonly OverviewRow[]): MetricGroup[] {
  const groups = new Map<string, OverviewRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.metric, row.unit, row.better]);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(row);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const oneWorkload = group.every((r) => r.workload === first.workload) && group.some((r) => r.configuration !== '');
    return {
      title: oneWorkload ? `${first.workload} — ${metricLabel(first)}` : metricLabel(first),
      rows: group,
      labels: group.map((r) => (oneWorkload && r.configuration !== '' ? r.configuration : caseLabel(r))),
    };
  });
}

/** A column of the overview: a variant's ratio, or beside it the share of its gap its counted events explain. */
export interface OverviewColumn {
  variant: string;
  explained: boolean;
  header: string;
}

/** The overview's columns: each variant's ratio, followed by its `explained` column where some row of it has a share. */
export function overviewColumns(overview: Overview): OverviewColumn[] {
  return overview.variants.flatMap((variant) => {
    const has = overview.rows.some((r) => r.cells[variant]?.explained !== undefined);
    return [{ variant, explained: false, header: variant }, ...(has ? [{ variant, explained: true, header: `${variant} explained` }] : [])];
  });
}

/** What an explained column is, for the legend (only when the overview has one). */
export function explainedColumnLegend(overview: Overview): string {
  return overview.explained
    ? ` Explained: the share of the gap to ${overview.reference} that the step's counted events explain at their unit costs, with its 95 % bootstrap interval (see "Where the time goes"; > over-explained).`
    : '';
}
