import { stringify } from 'csv-stringify/sync';
import type { Sample } from './sample.ts';

const FIXED = ['ts', 'metric', 'value', 'unit', 'better'] as const;

/** A plain decimal number written as text: a spreadsheet reads it as that number, never as a formula. */
const PLAIN_NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * The usual guard against spreadsheet formula injection: a text cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a spreadsheet shows
 * it as text instead of running it. Numbers stay numbers (also a text cell that is a plain
 * number such as `-3.5`, which a spreadsheet reads as that number anyway).
 */
export function neutraliseCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/**
 * Samples as CSV: one row per sample, columns ts, metric, value, unit, better, then
 * every dims key used by any sample (sorted), empty where a sample lacks it. A dims
 * key equal to a fixed column name is written as `dims.<key>`. Text cells (header
 * included: dims keys come from the samples) are neutralised (see neutraliseCell).
 */
export function exportCsv(samples: readonly Sample[]): string {
  const dimKeys = [...new Set(samples.flatMap((s) => Object.keys(s.dims)))].sort();
  const header = [...FIXED, ...dimKeys.map((k) => ((FIXED as readonly string[]).includes(k) ? `dims.${k}` : k))].map(neutraliseCell);
  const rows = samples.map((s) => [s.ts, s.metric, s.value, s.unit, s.better, ...dimKeys.map((k) => s.dims[k] ?? '')]);
  return stringify([header, ...rows], {
    cast: { boolean: (v) => String(v), number: (v) => String(v), string: (v) => neutraliseCell(v) },
  });
}
