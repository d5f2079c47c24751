import { ioPathMark, type IoPath } from '../io-path.ts';
import { sortBackends } from '../palette.ts';
import { backendColour, base, round, type Spec } from './common.ts';

/**
 * The I/O path figure of one workload: one panel per metric, one row per knob change (`aio: io_uring vs
 * threads`), a point per backend at the ratio of means to the same backend's base path with
 * its 95 % interval, on a log axis shared by every panel; a line at 1 (as fast as the base
 * path). Filled points are a verdict (faster or slower: the interval excludes 1), open points
 * are not (inconclusive, or similar: inside the noise band). The verdict and the ratio are
 * written in a column right of each panel, as in a table, because left of 1 is faster for a
 * latency and slower for a throughput.
 *
 * The reference (native) has no I/O path: where it ran, a second column gives its mean ÷ the
 * backend's base path (how far the host itself is), and a grey tick marks it when it falls
 * within the axis. The axis spans the knobs' own intervals only: the reference, often 10× or
 * 0.05× away, would squeeze them into a corner. One figure per workload, so that every panel
 * has the same rows (its knobs) on a shared axis.
 */

/** Width of each panel's plot, in pixels; the text columns sit right of it. */
const WIDTH = 420;

export function ioPathSpec(ioPath: IoPath, workload: string): Spec | undefined {
  // With several backends the text columns name theirs, as the rows of a table would.
  const several = ioPath.variants.length > 1;
  const rows = ioPath.rows
    .filter((r) => r.workload === workload && r.ratio !== undefined && r.ratio > 0)
    .map((r) => ({
      metric: `${r.metricTitle} ${r.better === 'higher' ? '↑' : '↓'}`,
      change: r.change,
      variant: r.variant,
      backend: r.backend,
      ratio: round(r.ratio),
      lo: round(r.lo),
      hi: round(r.hi),
      verdict: r.verdict,
      decided: r.verdict === 'faster' || r.verdict === 'slower',
      label: `${several ? `${r.variant}: ` : ''}${ioPathMark(r.verdict)} ${r.verdict} ${shortTimes(r.ratio!)}`,
      n: r.n,
      nBase: r.nBase,
      reference: round(r.reference?.ratio),
      referenceLo: round(r.reference?.lo),
      referenceHi: round(r.reference?.hi),
    }));
  if (rows.length === 0) return undefined;
  // The axis spans the knobs' own intervals: the reference, often 10× or 0.05× away, would squeeze them into a corner.
  const own = rows.flatMap((r) => [r.ratio, r.lo, r.hi]).filter((x): x is number => x !== null && x > 0);
  const domain = [Math.min(1, ...own) / 1.15, Math.max(1, ...own) * 1.15] as const;
  const data = rows.map((r) => ({
    ...r,
    referenceShown: r.reference !== null && r.reference >= domain[0] && r.reference <= domain[1] ? r.reference : null,
    referenceNote: r.reference === null ? '' : `${ioPath.reference} ${shortTimes(r.reference)}`,
  }));
  const changes = [...new Set(data.map((r) => r.change))];
  const metrics = [...new Set(data.map((r) => r.metric))];
  const scale = { type: 'log', domain: [...domain], nice: false };
  const x = { field: 'ratio', type: 'quantitative', title: 'ratio to the same backend with the knob at its base value (mean ÷ mean; log scale)', scale };
  const y = { field: 'change', type: 'nominal', sort: changes, title: null, axis: { labelLimit: 300 } };
  const yOffset = { field: 'variant', type: 'nominal', sort: ioPath.variants };
  const colour = backendColour(sortBackends(data.map((r) => r.backend)));
  const hasReference = data.some((r) => r.referenceNote !== '');
  // The reference's column starts after the longest verdict label (about 6 px a character at 10 px).
  const labelWidth = 16 + 6 * Math.max(...data.map((r) => r.label.length));
  // Two columns of text right of each panel, as in a table: the verdict with the ratio, then the reference's ratio.
  const column = (at: number, text: string, extra: object = {}) => ({
    mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 10, color: '#333333', ...extra },
    encoding: { y, yOffset, x: { value: at }, text: { field: text } },
  });
  const tooltip = [
    { field: 'metric' },
    { field: 'change', title: 'knob' },
    { field: 'variant', title: 'backend' },
    { field: 'ratio', format: '.3~g' },
    { field: 'lo', title: '95 % CI low', format: '.3~g' },
    { field: 'hi', title: '95 % CI high', format: '.3~g' },
    { field: 'verdict' },
    { field: 'n', title: 'n (knob changed)' },
    { field: 'nBase', title: 'n (base)' },
  ];
  // No layer filters its data: with independent row scales Vega-Lite would have to union domains across sources. A null x drops the mark.
  const layers = [
    {
      transform: [{ aggregate: [{ op: 'count', as: 'rows' }], groupby: ['metric'] }],
      mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] },
      encoding: { x: { datum: 1, type: 'quantitative', scale } },
    },
    ...(hasReference
      ? [
          {
            mark: { type: 'tick', color: '#8c8c8c', thickness: 2, size: 12 },
            encoding: {
              y,
              yOffset,
              x: { field: 'referenceShown', type: 'quantitative', scale },
              tooltip: [
                { field: 'variant', title: 'backend' },
                { field: 'change', title: 'base of' },
                { field: 'reference', title: `${ioPath.reference} ÷ base`, format: '.3~g' },
                { field: 'referenceLo', title: '95 % CI low', format: '.3~g' },
                { field: 'referenceHi', title: '95 % CI high', format: '.3~g' },
              ],
            },
          },
          column(WIDTH + 10 + labelWidth, 'referenceNote', { color: '#6e6e6e' }),
        ]
      : []),
    {
      mark: { type: 'rule', strokeWidth: 1.6 },
      encoding: { y, yOffset, x: { field: 'lo', type: 'quantitative', scale, title: x.title }, x2: { field: 'hi' }, color: colour },
    },
    // A white disc under each point hides the interval's line, so an open point reads as open.
    { mark: { type: 'point', size: 60, filled: true, color: 'white', opacity: 1 }, encoding: { y, yOffset, x } },
    // Filled where the interval decides (faster or slower), open where it does not; colour names the backend.
    {
      mark: { type: 'point', size: 60, strokeWidth: 1.6, filled: true, opacity: 1 },
      encoding: {
        y,
        yOffset,
        x,
        color: colour,
        stroke: colour,
        fillOpacity: { condition: { test: 'datum.decided', value: 1 }, value: 0 },
        tooltip,
      },
    },
    {
      ...column(WIDTH + 10, 'label'),
      encoding: { ...column(WIDTH + 10, 'label').encoding, color: { condition: { test: 'datum.decided', value: '#000000' }, value: '#666666' } },
    },
  ];
  return {
    ...base(
      `I/O path: each knob against its base value (${workload})`,
      [
        `${metrics.length} metric${metrics.length === 1 ? '' : 's'}, each in its own panel; a point per backend: ratio of means to the same backend at the knob's base value; bars: 95 % CI; ${repetitions(rows)}`,
        `filled: faster or slower (the interval excludes 1); open: inconclusive or similar; dashed line: as the base path`,
        ...(hasReference ? [`right: ${ioPath.reference}'s mean ÷ the base path's (how far the host itself is), a grey tick where it falls on the axis`] : []),
      ],
      `I/O path of ${workload}: the ratio of each knob value to its base value, per backend and metric`,
    ),
    data: { values: data },
    facet: {
      row: {
        field: 'metric',
        type: 'nominal',
        sort: metrics,
        title: null,
        header: { labelPadding: 4, labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontWeight: 'bold', labelLimit: 520 },
      },
    },
    spec: { width: WIDTH, height: { step: Math.max(16, 12 * ioPath.variants.length) }, layer: layers },
  } as unknown as Spec;
}

/** `1.05×`, `0.87×`, `12×`: a ratio as a label beside its point. */
function shortTimes(x: number): string {
  return `${x >= 10 ? x.toFixed(0) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}×`;
}

/** `3 repetitions per side`, or the range when the series differ. */
function repetitions(rows: readonly { n: number; nBase: number }[]): string {
  const counts = rows.flatMap((r) => [r.n, r.nBase]);
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  return lo === hi ? `${lo} repetition${lo === 1 ? '' : 's'} per side` : `${lo}–${hi} repetitions per side`;
}
