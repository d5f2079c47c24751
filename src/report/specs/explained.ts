import { COUNTER_COSTS } from '../../stats/explained-costs.ts';
import type { Explained } from '../explained.ts';
import { pct, shareText } from '../tables/explained-cells.ts';
import { base, round, type Spec } from './common.ts';

/**
 * "Where the time goes" as a figure: one stacked horizontal bar per modelled backend,
 * workload configuration and step, in shares of the backend's step time: the part the
 * reference would need too (work ÷ the reference's work), the part each event type explains
 * (events/s × unit cost), and the rest of the gap, unexplained. A bar that reaches past 1 is
 * over-explained: the model double counts overlapping costs. The share of the gap explained,
 * with its interval, is in each row's label.
 */

/** Colours of the parts: the reference neutral grey as in every chart, the rest unexplained in a pale hatch grey; events from Okabe–Ito. */
const REFERENCE_COLOUR = '#8c8c8c';
const UNEXPLAINED_COLOUR = '#e3e3e3';
/** A step without a gap (the reference did not run it: native has no NIC) beside ones with one: its rest a paler grey, so the two never read as one part. */
const REST_BESIDE_GAPS_COLOUR = '#f3f3f3';
const EVENT_COLOURS: readonly string[] = ['#0072B2', '#E69F00', '#CC79A7', '#56B4E9', '#D55E00', '#009E73'];

export function explainedSpec(explained: Explained): Spec | undefined {
  // A bar where there is a gap to explain, or no reference at all (then the step's time is split into events and the rest).
  const modelled = explained.rows.filter((r) => r.model !== undefined && (r.model.share !== undefined || r.model.gap === undefined));
  if (modelled.length === 0) return undefined;
  const reference = `${explained.reference ?? 'the reference'}'s time`;
  const REST = 'rest of the step';
  const events: string[] = [];
  const ends = new Map<string, number>();
  const data = modelled.flatMap((r) => {
    const m = r.model!;
    const row = r.label;
    const parts = m.gap === undefined ? [] : [{ part: reference, share: 1 - m.gap }];
    for (const t of m.terms) {
      if (t.explained <= 0) continue;
      if (!events.includes(t.label)) events.push(t.label);
      parts.push({ part: t.label, share: t.explained });
    }
    const rest = m.gap === undefined ? 1 - m.explained : (m.unexplained ?? 0);
    if (rest > 0) parts.push({ part: m.gap === undefined ? REST : 'unexplained', share: rest });
    ends.set(
      row,
      parts.reduce((s, p) => s + p.share, 0),
    );
    return parts.map((p, i) => ({ row, backend: r.backend, part: p.part, share: round(p.share), text: pct(p.share), order: i }));
  });
  // Each event type in the model's table order, so port I/O exits keep their colour from figure to figure.
  const rank = (label: string) => COUNTER_COSTS.findIndex((c) => c.label === label);
  events.sort((a, b) => rank(a) - rank(b));
  const gaps = modelled.some((r) => r.model!.gap !== undefined);
  const none = modelled.some((r) => r.model!.gap === undefined);
  const domain = [...(gaps ? [reference] : []), ...events, ...(gaps ? ['unexplained'] : []), ...(none ? [REST] : [])];
  const range = [
    ...(gaps ? [REFERENCE_COLOUR] : []),
    ...events.map((_, i) => EVENT_COLOURS[i % EVENT_COLOURS.length]!),
    ...(gaps ? [UNEXPLAINED_COLOUR] : []),
    ...(none ? [gaps ? REST_BESIDE_GAPS_COLOUR : UNEXPLAINED_COLOUR] : []),
  ];
  const order = [...new Set(data.map((d) => d.row))];
  // The share explained, right of each bar's end (past 1 when over-explained).
  const labels = modelled.map((r) => ({
    row: r.label,
    end: round(Math.max(1, ends.get(r.label) ?? 1)),
    label: shareText(r),
  }));
  const top = Math.max(1, ...labels.map((l) => l.end ?? 1));
  const y = { field: 'row', type: 'nominal', sort: order, title: null, axis: { labelLimit: 420 } };
  return {
    ...base(
      'Where the time goes',
      [
        explained.reference === undefined
          ? "each bar: the step's time as 1; coloured: events × unit cost; pale: the rest (no reference in the runs, so no gap)"
          : `each bar: the backend's step time as 1; grey: the time ${explained.reference} needs for the same work; coloured: events × unit cost; pale: the gap left unexplained`,
        explained.reference === undefined
          ? "right: the events' share of the step's time, with its 95 % bootstrap interval"
          : 'right: the share of the gap the events explain, with its 95 % bootstrap interval; past the dashed line: over-explained',
        ...(explained.reference !== undefined && modelled.some((r) => r.model!.gap === undefined)
          ? [`palest: the rest of a step ${explained.reference} did not run, where the right gives the events' share of the step`]
          : []),
      ],
      `explained overhead: each backend's step time split into ${explained.reference ?? 'the reference'}'s share, event types and the unexplained rest`,
    ),
    data: { values: data },
    width: 420,
    height: { step: 18 },
    layer: [
      {
        mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          y,
          x: {
            field: 'share',
            type: 'quantitative',
            stack: 'zero',
            title: "share of the backend's step time",
            scale: { domain: [0, top], nice: false },
            axis: { format: '.0%' },
          },
          color: {
            field: 'part',
            type: 'nominal',
            title: null,
            scale: { domain, range },
            sort: domain,
            legend: { orient: 'bottom', direction: 'horizontal', columns: 4 },
          },
          order: { field: 'order', type: 'quantitative' },
          tooltip: [
            { field: 'row', title: 'case' },
            { field: 'part', title: 'part' },
            { field: 'text', title: 'share of step time' },
          ],
        },
      },
      { data: { values: [{}] }, mark: { type: 'rule', color: '#555555', strokeDash: [4, 3] }, encoding: { x: { datum: 1 } } },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 11, color: '#333333' },
        encoding: { y, x: { field: 'end', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  } as unknown as Spec;
}
