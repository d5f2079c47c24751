import type { IoPath, IoPathRow } from '../io-path.ts';
export { ioPathMark } from '../io-path.ts';
import { betterArrow, shortInterval, shortRatio } from './overview-cells.ts';

/**
 * What the Markdown and LaTeX renderings of the I/O path table share, as plain text: rows
 * grouped under each knob change (`aio io_uring vs threads`), one row per metric, one column
 * per variant; the verdict marks and the sentences that say what the numbers are.
 */

export interface IoPathTableRow {
  /** `Disk: sequential read (MiB/s) ↑`. */
  metric: string;
  /** One cell per variant that has a figure. */
  cells: Record<string, IoPathRow>;
}

export interface IoPathTableGroup {
  /** `aio io_uring vs threads`. */
  change: string;
  rows: IoPathTableRow[];
}

/** The rows of the table: each knob change in the figure's order, its metrics under it. */
export function ioPathGroups(ioPath: IoPath): IoPathTableGroup[] {
  const groups = new Map<string, Map<string, IoPathTableRow>>();
  const ordered = [...ioPath.rows].sort((a, b) => changeRank(ioPath, a) - changeRank(ioPath, b));
  for (const r of ordered) {
    const byMetric = groups.get(r.change) ?? groups.set(r.change, new Map()).get(r.change)!;
    const key = JSON.stringify([r.metric, r.unit, r.better]);
    const row = byMetric.get(key) ?? byMetric.set(key, { metric: `${r.metricTitle} ${betterArrow(r.better)}`, cells: {} }).get(key)!;
    row.cells[r.variant] = r;
  }
  return [...groups].map(([change, rows]) => ({ change, rows: [...rows.values()] }));
}

/** Knob changes in the order the knobs were found, then by the rows' own (value) order; stable for the metrics within. */
function changeRank(ioPath: IoPath, r: IoPathRow): number {
  const first = ioPath.rows.findIndex((x) => x.change === r.change);
  return ioPath.knobs.findIndex((k) => k.dim === r.knob) * ioPath.rows.length + first;
}

/** `1.05× [0.98, 1.12]`, or `–` when the ratio cannot be computed. */
export function ratioText(r: Pick<IoPathRow, 'ratio' | 'lo' | 'hi'>): string {
  if (r.ratio === undefined || !Number.isFinite(r.ratio)) return '–';
  const ci = shortInterval(r);
  return `${shortRatio(r.ratio)}×${ci ? ` ${ci}` : ''}`;
}

/** `native 9.6×`: the reference's mean ÷ the base path's; '' when the reference did not run the case. */
export function referenceText(ioPath: Pick<IoPath, 'reference'>, r: IoPathRow): string {
  return r.reference === undefined || ioPath.reference === undefined ? '' : `${ioPath.reference} ${shortRatio(r.reference.ratio)}×`;
}

/** What the cells are, in one sentence. */
export function ioPathLegend(ioPath: IoPath): string {
  const reference = ioPath.reference === undefined ? '' : ` ${ioPath.reference} n×: ${ioPath.reference}'s mean ÷ the base path's (how far the host itself is).`;
  return `Cells: mean with the knob changed ÷ mean of the same backend at the knob's base value, with its 95 % interval. ▲ faster, ▼ slower (the interval excludes 1), ≈ similar (within the noise band), ? inconclusive (the interval contains 1), – no figure. ↑ higher is better, ↓ lower is better.${reference}`;
}

/**
 * `aio: io_uring against threads; iothread: true against false`: which knobs, at what values;
 * each knob names its backends when they are not the same for every knob.
 */
export function knobsText(ioPath: IoPath): string {
  const same = ioPath.knobs.every((k) => k.variants.join() === ioPath.knobs[0]!.variants.join());
  return ioPath.knobs.map((k) => `${k.label}: ${k.values.join(', ')} against ${k.base}${same ? '' : ` (${k.variants.join(', ')})`}`).join('; ');
}
