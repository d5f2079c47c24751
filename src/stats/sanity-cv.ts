import type { Sample } from '../results/sample.ts';
import { cvOf, moments } from './moments.ts';
import { pctText, type SanityFlag } from './sanity.ts';
import { caseGroups, medianOf } from './sanity-cases.ts';

/**
 * CV outliers: a series whose repetitions scatter far more than its backend's others in
 * the same run. The usual of a backend is the median coefficient of variation of its
 * series on one host; a series is flagged above both `CV_OUTLIER_FACTOR` times that
 * and `CV_OUTLIER_FLOOR` (so that a backend whose series all vary by 0.5 % does not flag
 * one at 2 %). Only a case's own figures count (`cpu.*` of a cpu case, `boot.*` of the
 * boot case): the boot and host figures every case also yields say how the guest came up,
 * not how the workload went, and their coarse clocks (10 ms ticks) would fill the list.
 */

export const CV_OUTLIER_FACTOR = 3;
export const CV_OUTLIER_FLOOR = 0.05;
/** Fewer series than this give no "usual" worth the name. */
export const CV_OUTLIER_MIN_SERIES = 3;

interface SeriesCv {
  label: string;
  metric: string;
  n: number;
  cv: number;
}

/** One flag per run naming every outlying series (with its CV and its backend's usual), or none. */
export function cvOutlierFlags(samples: readonly Sample[], prefix = ''): SanityFlag[] {
  const byBackend = new Map<string, { variant: string; series: SeriesCv[] }>();
  for (const g of caseGroups(samples)) {
    const workload = String(g.samples[0]?.dims.workload ?? '');
    const byMetric = new Map<string, number[]>();
    for (const s of g.samples) {
      if (!s.metric.startsWith(`${workload}.`) || !Number.isFinite(s.value)) continue;
      (byMetric.get(s.metric) ?? byMetric.set(s.metric, []).get(s.metric)!).push(s.value);
    }
    const key = JSON.stringify([g.host, g.variant]);
    const entry = byBackend.get(key) ?? byBackend.set(key, { variant: g.variant, series: [] }).get(key)!;
    for (const [metric, values] of byMetric) {
      if (values.length < 2) continue;
      const cv = cvOf(moments(values));
      if (cv !== undefined && Number.isFinite(cv)) entry.series.push({ label: g.label, metric, n: values.length, cv });
    }
  }
  const items: string[] = [];
  for (const { variant, series } of byBackend.values()) {
    if (series.length < CV_OUTLIER_MIN_SERIES) continue;
    const usual = medianOf(series.map((s) => s.cv));
    for (const s of series)
      if (s.cv > CV_OUTLIER_FACTOR * usual && s.cv > CV_OUTLIER_FLOOR)
        items.push(
          `${s.label} ${s.metric}: CV ${pctText(s.cv)} over ${s.n} repetitions, ${variant}'s usual ${pctText(usual)} (median of its ${series.length} series)`,
        );
  }
  if (items.length === 0) return [];
  const one = items.length === 1;
  return [
    {
      kind: 'cv-outlier',
      text: `${prefix}${items.length} series ${one ? 'scatters' : 'scatter'} far more than ${one ? 'its' : 'their'} backend's others in this run (CV above ${CV_OUTLIER_FACTOR}× the backend's median CV and above ${pctText(CV_OUTLIER_FLOOR)}): read ${one ? 'its' : 'their'} repetitions in seq order before trusting ${one ? 'its mean' : 'their means'}.`,
      items,
    },
  ];
}
