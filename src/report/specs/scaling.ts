import type { Scaling, ScalingMetric } from '../scaling.ts';
import { sortBackends } from '../palette.ts';
import { metricName, unitLabel } from '../metric-names.ts';
import { backendColour, base, round, type Spec } from './common.ts';
import { curvePanel, type Encoding } from './curve-panel.ts';

/**
 * The scaling figure of one workload: a row per metric, the mean against the guest's vCPUs on
 * the left (in the metric's unit), the ratio to the reference (native at as many threads) on
 * the right, on a log axis with a dashed line at 1. One line per variant (a dash pattern per
 * configuration when a variant has several), a point per vCPU count with its 95 % interval.
 * The x axis marks exactly the vCPU counts measured, on a log-2 scale once they span 4× or
 * more (1, 2, 4, 8 evenly spaced).
 */

/** Width and height of each panel's plot, in pixels. */
const WIDTH = 260;
const HEIGHT = 150;
/** The y axes take the same room in every panel, so the panels of the rows line up. */
const Y_AXIS = { minExtent: 48, maxExtent: 48 };

export function scalingSpec(scaling: Scaling, workload: string): Spec | undefined {
  const metrics = scaling.metrics.filter((m) => m.workload === workload);
  if (metrics.length === 0) return undefined;
  const vcpus = [...new Set(metrics.flatMap((m) => m.lines.flatMap((l) => l.points.map((p) => p.vcpus))))].sort((a, b) => a - b);
  const spread = vcpus.at(-1)! / vcpus[0]!;
  const xScale =
    spread >= 4
      ? { type: 'log', base: 2, domain: [vcpus[0]! / 1.25, vcpus.at(-1)! * 1.25], nice: false }
      : { domain: [vcpus[0]! - 0.25, vcpus.at(-1)! + 0.25], nice: false };
  const x = { field: 'vcpus', type: 'quantitative', title: 'vCPUs', scale: xScale, axis: { values: vcpus, format: 'd', grid: false } };
  const backends = sortBackends(metrics.flatMap((m) => m.lines.map((l) => l.backend)));
  const several = metrics.some((m) => new Set(m.lines.map((l) => l.backend)).size < m.lines.length);
  const colour = backendColour(backends);
  const following = [...new Set(metrics.flatMap((m) => m.lines.flatMap((l) => l.following)))];
  const n = [...new Set(metrics.flatMap((m) => m.lines.flatMap((l) => l.points.map((p) => p.n))))].sort((a, b) => a - b);
  // One title per row (the metric), over both panels: panel titles would not line up across the row.
  const rows = metrics.map((m) => ({
    title: { text: `${metricName(m.metric)} ${m.better === 'higher' ? '↑' : '↓'}`, fontSize: 12, anchor: 'start' },
    hconcat: [valuePanel(m, x, colour, several), ...(scaling.reference === undefined ? [] : [ratioPanel(m, scaling.reference, x, colour, several)])],
  }));
  return {
    ...base(
      `Scaling with the guest's vCPUs (${workload})`,
      [
        `left: mean${scaling.reference === undefined ? '' : `; right: ratio to ${scaling.reference} at as many threads (mean ÷ mean; log scale; dashed: as fast as ${scaling.reference})`}; bars: 95 % CI; n = ${n.length === 1 ? n[0] : `${n[0]}–${n.at(-1)}`} per point`,
        ...(following.length > 0 ? [`${following.join(', ')} = the vCPU count (one worker per vCPU; ${scaling.reference ?? 'native'} runs as many)`] : []),
      ],
      `Scaling of ${workload}: each metric and its ratio to ${scaling.reference ?? 'nothing'} against the guest's vCPU count, per backend`,
    ),
    vconcat: rows,
    resolve: { scale: { color: 'shared' } },
  } as unknown as Spec;
}

function valuePanel(m: ScalingMetric, x: Encoding, colour: Encoding, several: boolean): object {
  const data = m.lines.flatMap((l) =>
    l.points.map((p) => ({
      backend: l.backend,
      line: lineLabel(l.variant, l.configuration),
      vcpus: p.vcpus,
      value: round(p.mean),
      lo: round(p.lo),
      hi: round(p.hi),
      n: p.n,
    })),
  );
  // The domain holds every interval: Vega-Lite would size it from the means and the lower ends only.
  const top = Math.max(...data.flatMap((d) => [d.value, d.hi]).filter((v): v is number => v !== null));
  const y = { field: 'value', type: 'quantitative', title: unitLabel(m.unit) || 'no unit', scale: { domain: [0, top > 0 ? top * 1.05 : 1] }, axis: Y_AXIS };
  return panel(data, x, y, colour, several);
}

function ratioPanel(m: ScalingMetric, reference: string, x: Encoding, colour: Encoding, several: boolean): object {
  const data = m.lines
    .filter((l) => l.variant !== reference)
    .flatMap((l) =>
      l.points.flatMap((p) =>
        p.ratio === undefined || !(p.ratio.value > 0)
          ? []
          : [
              {
                backend: l.backend,
                line: lineLabel(l.variant, l.configuration),
                vcpus: p.vcpus,
                value: round(p.ratio.value),
                lo: round(p.ratio.lo),
                hi: round(p.ratio.hi),
                n: p.n,
              },
            ],
      ),
    );
  const own = data.flatMap((d) => [d.value, d.lo, d.hi]).filter((v): v is number => v !== null && v > 0);
  const domain = [Math.min(1, ...own) / 1.2, Math.max(1, ...own) * 1.2];
  const y = { field: 'value', type: 'quantitative', title: `÷ ${reference} (log scale)`, scale: { type: 'log', domain, nice: false }, axis: Y_AXIS };
  return panel(data, x, y, colour, several, true);
}

function panel(data: object[], x: Encoding, y: Encoding, colour: Encoding, several: boolean, unitLine = false): object {
  return curvePanel({ data, x, y, colour, several, width: WIDTH, height: HEIGHT, xTooltip: { field: 'vcpus', title: 'vCPUs' }, unitLine });
}

/** `tcg`, or `tcg memory (MiB)=2048` when a configuration tells the backend's lines apart. */
function lineLabel(variant: string, configuration: string): string {
  return configuration === '' ? variant : `${variant} ${configuration}`;
}
