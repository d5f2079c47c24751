import type { MetricBars } from '../normalise.ts';
import { sortVariants } from '../palette.ts';
import { metricName, metricTitle, unitLabel } from '../metric-names.ts';
import { backendColour, base, direction, round, thinPoints, withUnit, type Spec } from './common.ts';

/**
 * Per metric, grouped bars: one group per configuration (the workload's parameters, the
 * I/O class, …), in it one bar per backend — coloured by backend, Xen guest types told
 * apart by opacity — normalised to the reference when there is one, with the 95 %
 * interval as an error bar and every repetition as a point.
 */

/** Opacity of a bar by guest type (pv, pvh, hvm); bars without a guest type are solid. */
const GUEST_TYPES = ['pv', 'pvh', 'hvm'];
const GUEST_TYPE_OPACITY = [0.95, 0.7, 0.45];

function guestTypeScale(present: ReadonlySet<string>) {
  const domain = [...GUEST_TYPES.filter((t) => present.has(t)), ...[...present].filter((t) => !GUEST_TYPES.includes(t)).sort()];
  return { domain, range: domain.map((t) => GUEST_TYPE_OPACITY[GUEST_TYPES.indexOf(t)] ?? 0.6) };
}

export function metricBarsSpec(m: MetricBars): Spec {
  const { metric, unit: rawUnit, better } = m.metric;
  const unit = unitLabel(rawUnit);
  const normalised = m.reference !== undefined;
  // Normalised, the chart shows the columns that have the reference; the others are in the summary table.
  const bars = normalised ? m.bars.filter((b) => b.normalised) : m.bars;
  const variants = sortVariants(bars.map((b) => b.group));
  const columns = m.metric.columns.filter((c) => bars.some((b) => b.group.columnKey === c.key)).map((c) => c.label);
  const guestTypes = new Set(bars.flatMap((b) => (b.group.guestType === undefined ? [] : [b.group.guestType])));
  const rows: Record<string, unknown>[] = [];
  let shown = 0;
  let total = 0;
  for (const b of bars) {
    const g = b.group;
    const common = { column: g.column, variant: g.variant, backend: g.backend, ...(g.guestType === undefined ? {} : { guest_type: g.guestType }) };
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
        ...(guestTypes.size > 0
          ? {
              opacity: {
                field: 'guest_type',
                type: 'ordinal',
                sort: guestTypeScale(guestTypes).domain,
                title: 'Xen guest type',
                scale: guestTypeScale(guestTypes),
              },
            }
          : {}),
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
