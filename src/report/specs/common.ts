import type { TopLevelSpec } from 'vega-lite';
import { backendScale } from '../palette.ts';

/** What every spec shares: the schema, the look, the backend colour scale, units in axis titles. */

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Fonts that the headless SVG/PNG renderer finds on a Debian host and browsers everywhere. */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

export const CHART_CONFIG = {
  background: 'white',
  font: CHART_FONT,
  padding: 8,
  view: { stroke: '#dddddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eeeeee', labelLimit: 220 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555555', anchor: 'start' as const },
};

/** A spec, as the report keeps it: Vega-Lite's own type, data inline. */
export type Spec = TopLevelSpec;

/** Top-level fields every chart has. */
export function base(title: string, subtitle: readonly string[], description: string) {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, ...(subtitle.length > 0 ? { subtitle: [...subtitle] } : {}) },
    description,
    config: CHART_CONFIG,
  };
}

/** Colour by backend, the same colours and order in every chart. */
export function backendColour(backends: Iterable<string>, legend = true) {
  return { field: 'backend', type: 'nominal' as const, title: 'backend', scale: backendScale(backends), ...(legend ? {} : { legend: null }) };
}

/** An axis title that always carries the unit: `cpu.events_per_s (events/s)`. */
export function withUnit(what: string, unit: string): string {
  return unit === '' ? `${what} (no unit)` : `${what} (${unit})`;
}

/** `higher is better` / `lower is better`, with the arrow the text tables use. */
export function direction(better: 'higher' | 'lower'): string {
  return better === 'higher' ? '↑ higher is better' : '↓ lower is better';
}

/** At most this many raw points are drawn per bar; beyond it, evenly spaced order statistics stand for the rest. */
export const MAX_POINTS_PER_BAR = 60;

/** Up to `max` values that keep the distribution's shape: every k-th order statistic, min and max included. */
export function thinPoints(values: readonly number[], max = MAX_POINTS_PER_BAR): number[] {
  if (values.length <= max) return [...values];
  const sorted = [...values].sort((a, b) => a - b);
  return Array.from({ length: max }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (max - 1))]!);
}

/** Rounds for the embedded data: 6 significant digits keep every figure while keeping pages small. */
export function round(x: number | undefined): number | null {
  return x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(6));
}
