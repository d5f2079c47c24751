import { fmtNumber } from '../../stats/format.ts';
import { metricName } from '../metric-names.ts';
import type { Density, DensityPenalty, DensityPoint } from '../density.ts';
import { betterArrow, shortInterval, shortRatio } from './overview-cells.ts';

/**
 * What the Markdown and LaTeX renderings of the density table share, as plain text: a group
 * per metric, a row per guest count (and configuration, when the lines have several), a
 * column per variant; each cell the mean with its 95 % interval.
 */

export interface DensityTableRow {
  /** `2 guests`, or `2 guests, memory (MiB)=2048`. */
  label: string;
  guests: number;
  /** One cell per variant that has a point here. */
  cells: Record<string, DensityPoint>;
}

export interface DensityTableGroup {
  /** `CPU: sysbench events per second, sum over the guests (events/s) ↑`. */
  metric: string;
  rows: DensityTableRow[];
}

export function densityGroups(density: Density): DensityTableGroup[] {
  return density.metrics.map((m) => {
    const rows = new Map<string, DensityTableRow>();
    for (const configuration of new Set(m.lines.map((l) => l.configuration)))
      for (const guests of density.guests)
        for (const l of m.lines.filter((x) => x.configuration === configuration)) {
          const p = l.points.find((x) => x.guests === guests);
          if (p === undefined) continue;
          const key = JSON.stringify([configuration, guests]);
          const label = `${guests} guest${guests === 1 ? '' : 's'}${configuration === '' ? '' : `, ${configuration}`}`;
          const row = rows.get(key) ?? rows.set(key, { label, guests, cells: {} }).get(key)!;
          row.cells[l.variant] = p;
        }
    return { metric: `${m.title} ${betterArrow(m.better)}`, rows: [...rows.values()] };
  });
}

/** `412 [398, 426]`: the mean with its 95 % interval. */
export function densityMeanText(p: DensityPoint): string {
  return `${fmtNumber(p.mean)}${p.lo === undefined || p.hi === undefined ? '' : ` [${fmtNumber(p.lo)}, ${fmtNumber(p.hi)}]`}`;
}

/** What the cells are, in one sentence. */
export const DENSITY_LEGEND =
  "Cells: mean with its 95 % interval, over the repetitions (per guest: over every guest's repetitions). Jain's index: 1 = every guest got the same, 1/N = one got everything. ↑ higher is better, ↓ lower is better.";

export interface PenaltyRow {
  /** `CPU: sysbench events per second, beside a stress-ng neighbour`. */
  metric: string;
  /** `3 guests` (the neighbour one of them). */
  label: string;
  /** One cell per variant that has the pair. */
  cells: Record<string, DensityPenalty>;
}

/** The interference penalties as rows: one per metric and guest count, a cell per variant. */
export function penaltyRows(density: Density): PenaltyRow[] {
  const rows = new Map<string, PenaltyRow>();
  for (const p of density.penalties) {
    const key = JSON.stringify([p.metric, p.guests]);
    const row =
      rows.get(key) ??
      rows.set(key, { metric: `${metricName(p.metric)}, beside a stress-ng neighbour ÷ without`, label: `${p.guests} guests`, cells: {} }).get(key)!;
    row.cells[p.variant] = p;
  }
  return [...rows.values()];
}

/** `0.52× [0.45, 0.60]`: the ratio with its 95 % interval. */
export function penaltyText(p: DensityPenalty): string {
  const ci = shortInterval(p);
  return `${shortRatio(p.ratio)}×${ci ? ` ${ci}` : ''}`;
}

/** What the penalty cells are, in one sentence. */
export const PENALTY_LEGEND =
  "Interference: the measured guests' mean with guest 0 running a stress-ng CPU load, over the mean of the same case's guests without it (the same number of guests), with the 95 % interval of the ratio; 1× = no interference.";
