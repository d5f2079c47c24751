import { fmtNumber } from '../../stats/format.ts';
import type { Scaling, ScalingPoint } from '../scaling.ts';
import { betterArrow, shortInterval, shortRatio } from './overview-cells.ts';

/**
 * What the Markdown and LaTeX renderings of the scaling table share, as plain text: a group
 * per metric, a row per vCPU count (and configuration, when the lines have several), a column
 * per variant; each cell the mean with its 95 % interval and the ratio to the reference.
 */

export interface ScalingTableRow {
  /** `2 vCPUs`, or `2 vCPUs, memory (MiB)=2048`. */
  label: string;
  vcpus: number;
  /** One cell per variant that has a point here. */
  cells: Record<string, ScalingPoint>;
}

export interface ScalingTableGroup {
  /** `CPU: sysbench events (events/s) ↑`. */
  metric: string;
  rows: ScalingTableRow[];
}

export function scalingGroups(scaling: Scaling): ScalingTableGroup[] {
  return scaling.metrics.map((m) => {
    const rows = new Map<string, ScalingTableRow>();
    const configurations = [...new Set(m.lines.map((l) => l.configuration))];
    for (const configuration of configurations)
      for (const vcpus of scaling.vcpus)
        for (const l of m.lines.filter((x) => x.configuration === configuration)) {
          const p = l.points.find((x) => x.vcpus === vcpus);
          if (p === undefined) continue;
          const key = JSON.stringify([configuration, vcpus]);
          const label = `${vcpus} vCPU${vcpus === 1 ? '' : 's'}${configuration === '' ? '' : `, ${configuration}`}`;
          const row = rows.get(key) ?? rows.set(key, { label, vcpus, cells: {} }).get(key)!;
          row.cells[l.variant] = p;
        }
    return { metric: `${m.title} ${betterArrow(m.better)}`, rows: [...rows.values()] };
  });
}

/** `412 [398, 426]`: the mean with its 95 % interval. */
export function meanText(p: ScalingPoint): string {
  return `${fmtNumber(p.mean)}${p.lo === undefined || p.hi === undefined ? '' : ` [${fmtNumber(p.lo)}, ${fmtNumber(p.hi)}]`}`;
}

/** `0.12× [0.05, 0.26]`, or '' without a ratio. */
export function ratioText(p: ScalingPoint): string {
  if (p.ratio === undefined || !Number.isFinite(p.ratio.value)) return '';
  const ci = shortInterval(p.ratio);
  return `${shortRatio(p.ratio.value)}×${ci ? ` ${ci}` : ''}`;
}

/** What the cells are, in one sentence. */
export function scalingLegend(scaling: Scaling): string {
  const following = [...new Set(scaling.metrics.flatMap((m) => m.lines.flatMap((l) => l.following)))];
  const ratio =
    scaling.reference === undefined ? '' : ` With it: mean ÷ ${scaling.reference}'s mean at as many vCPUs (threads), with the 95 % interval of the ratio.`;
  const follows = following.length > 0 ? ` ${following.join(', ')} = the vCPU count.` : '';
  return `Cells: mean with its 95 % interval.${ratio} ↑ higher is better, ↓ lower is better.${follows}`;
}
