import { fmtNumber } from '../../stats/format.ts';
import type { Density, DensityPoint } from '../density.ts';
import { betterArrow } from './overview-cells.ts';

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
