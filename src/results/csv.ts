import { stringify } from 'csv-stringify/sync';
import type { Sample } from './sample.ts';

const FIXED = ['ts', 'metric', 'value', 'unit', 'better'] as const;

/**
 * Samples as CSV: one row per sample, columns ts, metric, value, unit, better, then
 * every dims key used by any sample (sorted), empty where a sample lacks it. A dims
 * key equal to a fixed column name is written as `dims.<key>`.
 */
export function exportCsv(samples: readonly Sample[]): string {
  const dimKeys = [...new Set(samples.flatMap((s) => Object.keys(s.dims)))].sort();
  const header = [...FIXED, ...dimKeys.map((k) => ((FIXED as readonly string[]).includes(k) ? `dims.${k}` : k))];
  const rows = samples.map((s) => [s.ts, s.metric, s.value, s.unit, s.better, ...dimKeys.map((k) => s.dims[k] ?? '')]);
  return stringify([header, ...rows], {
    cast: { boolean: (v) => String(v), number: (v) => String(v) },
  });
}
