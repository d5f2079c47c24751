import type { MetricBars } from '../normalise.ts';
import { sortVariants } from '../palette.ts';
import { metricName, metricTitle, unitLabel } from '../metric-names.ts';
import { backendColour, base, direction, round, thinPoints, withUnit, type Spec } from './common.ts';

/**
 * Per metric, grouped bars: one group per configuration (the workload's parameters, the
 * I/O class, …), in it one bar per variant — coloured by backend, the variants of one
 * backend (Xen's guest types, QEMU's machine types) told apart by opacity — normalised to the reference when there is one, with the 95 %
 * interval as an error bar and every repetition as a point.
 */

/**
 * Opacity of a bar by what tells it apart from its backend's other variants (pv, pvh, hvm;
 * microvm, q35), in the order the variants are sorted, from 0.75 to 0.4; a backend's
 * plain variant is solid.
 */
function subVariantScale(ordered: readonly string[]) {
  const named = ordered.filter((s) => s !== DEFAULT_SUB);
  const step = named.length > 1 ? 0.35 / (named.length - 1) : 0;
  const opacity = (s: string) => (s === DEFAULT_SUB ? 1 : Math.round((0.75 - named.indexOf(s) * step) * 100) / 100);
  return { domain: [...ordered], range: ordered.map(opacity) };
}

/** The legend's name for a backend's plain variant beside its named ones (QEMU's implicit `pc` board). */
const DEFAULT_SUB = 'default';

export function metricBarsSpec(m: MetricBars): Spec {
  const { metric, unit: rawUnit, better } = m.metric;
  const unit = unitLabel(rawUnit);
  const normalised = m.reference !== undefined;
  // Normalised, the chart shows the columns that have the reference; the others are in the summary table.
  const bars = normalised ? m.bars.filter((b) => b.normalised) : m.bars;
  const variants = sortVariants(bars.map((b) => b.group));
  const columns = m.metric.columns.filter((c) => bars.some((b) => b.group.columnKey === c.key)).map((c) => c.label);
  // A backend with variants and a plain one (tcg beside tcg microvm): the plain one is its `default`, drawn solid.
  const plain = (b: (typeof bars)[number]) => !b.group.subVariant && bars.some((o) => o.group.backend === b.group.backend && o.group.subVariant);
  const subOf = (b: (typeof bars)[number]) => b.group.subVariant?.value ?? (plain(b) ? DEFAULT_SUB : undefined);
  const subs = [...new Set(variants.flatMap((v) => bars.filter((b) => b.group.variant === v).flatMap((b) => subOf(b) ?? [])))];
  const subLabel = [...new Set(bars.flatMap((b) => (b.group.subVariant ? [b.group.subVariant.label] : [])))].join(' / ');
  const rows: Record<string, unknown>[] = [];
  let shown = 0;
  let total = 0;
  for (const b of bars) {
    const g = b.group;
    const sub = subOf(b);
    const common = { column: g.column, variant: g.variant, backend: g.backend, ...(sub === undefined ? {} : { sub }) };
    rows.push({
      kind: 'bar',
      ...common,
      value: round(b.value),
      lo: round(b.lo),
      hi: round(b.hi),
      n: b.summary.n,
      mean: round(b.summary.mean),
      ...(g.device === undefined ? {} : { device: g.device }),
    });
    const points = thinPoints(b.points);
    shown += points.length;
    total += b.points.length;
    for (const v of points) rows.push({ kind: 'point', ...common, value: round(v) });
  }
  const title = metricTitle(metric, rawUnit);
  const yTitle = normalised ? `÷ ${m.reference} (ratio of means)` : withUnit(metricName(metric), unit);
  const deviceless = bars.filter((b) => b.group.deviceless && b.group.device !== undefined);
  const subtitle = [
    `${direction(better)}; bars: mean${normalised ? ` ÷ ${m.reference} mean` : ''}; error bars: 95 % CI${normalised ? ' of the ratio' : ' of the mean'}; points: repetitions`,
    ...(shown < total ? [`showing ${shown} of ${total} repetitions (evenly spaced order statistics)`] : []),
    ...(deviceless.length > 0
      ? [`${deviceless[0]!.group.variant} has no device: its ${deviceless[0]!.group.device} is the reference of every device model`]
      : []),
    ...(m.note ? [m.note] : []),
  ];
  const longLabels = columns.some((c) => c.length > 14);
  const x = { field: 'column', type: 'nominal', sort: columns, title: 'configuration', axis: { labelAngle: longLabels ? -25 : 0, labelLimit: 260 } };
  const xOffset = { field: 'variant', type: 'nominal', sort: variants };
  const y = { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: true } };
  const tooltip = [
    { field: 'variant', title: 'backend' },
    { field: 'column', title: 'configuration' },
    { field: 'mean', title: `mean (${unit})`, format: '.4~g' },
    ...(normalised ? [{ field: 'value', title: `÷ ${m.reference}`, format: '.4~g' }] : []),
    { field: 'lo', title: '95 % CI low', format: '.4~g' },
    { field: 'hi', title: '95 % CI high', format: '.4~g' },
    { field: 'n', title: 'n' },
    { field: 'device', title: 'device' },
  ];
  const layer: object[] = [
    {
      transform: [{ filter: "datum.kind === 'bar'" }],
      mark: { type: 'bar' },
      encoding: {
        x,
        xOffset,
        y,
        color: backendColour(bars.map((b) => b.group.backend)),
        ...(subs.length > 0 ? { opacity: { field: 'sub', type: 'ordinal', sort: subs, title: subLabel, scale: subVariantScale(subs) } } : {}),
        tooltip,
      },
    },
    { transform: [{ filter: "datum.kind === 'point'" }], mark: { type: 'circle', size: 14, color: '#222222', opacity: 0.5 }, encoding: { x, xOffset, y } },
  ];
  // Layers that would be empty are left out: vega warns about the extent of an empty layer.
  if (bars.some((b) => b.lo !== undefined)) {
    layer.push({
      transform: [{ filter: "datum.kind === 'bar' && isValid(datum.lo)" }],
      mark: { type: 'errorbar', ticks: { size: 7 }, color: '#111111', thickness: 1.4 },
      encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } },
    });
  }
  if (normalised) layer.push({ data: { values: [{}] }, mark: { type: 'rule', color: '#555555', strokeDash: [4, 3] }, encoding: { y: { datum: 1 } } }); // one row: one line, not one per data row
  return {
    ...base(title, subtitle, `${title} per backend${normalised ? `, relative to ${m.reference}` : ''}`),
    data: { values: rows },
    // With an xOffset, the step is one bar's width.
    width: { step: variants.length === 1 ? 44 : 22 },
    height: 240,
    layer,
  } as unknown as Spec;
}
