import type { Sample } from '../results/sample.ts';
import { summarize, type Summary } from '../stats/summary.ts';

/**
 * A plain-text table of results, one row per (case, metric): the case comes from the
 * sample's `case` dim. Rows keep the order in which their first sample appears.
 */

interface Row {
  caseId: string;
  metric: string;
  unit: string;
  better: Sample['better'];
  values: number[];
}

const HEADER = ['case', 'metric', 'unit', 'n', 'median', 'mean', 'CV %', 'min', 'max'];
const RIGHT_ALIGNED = new Set(['n', 'median', 'mean', 'CV %', 'min', 'max']);

export function renderResultTable(samples: readonly Sample[]): string {
  const rows = groupRows(samples);
  const cells = rows.map((row) => {
    const s: Summary = summarize(row.values);
    return [
      row.caseId,
      row.metric,
      `${row.unit} ${row.better === 'higher' ? '↑' : '↓'}`.trim(),
      String(s.n),
      formatNumber(s.median),
      formatNumber(s.mean),
      s.cv === undefined ? '–' : formatNumber(s.cv * 100),
      formatNumber(s.min),
      formatNumber(s.max),
    ];
  });
  return alignColumns([HEADER, ...cells]);
}

function groupRows(samples: readonly Sample[]): Row[] {
  const rows = new Map<string, Row>();
  for (const s of samples) {
    const caseId = String(s.dims.case ?? '–');
    // The unit is part of the key so values in different units are never mixed.
    const key = JSON.stringify([caseId, s.metric, s.unit, s.better]);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { caseId, metric: s.metric, unit: s.unit, better: s.better, values: [] }));
    row.values.push(s.value);
  }
  return [...rows.values()];
}

/**
 * About three significant digits, without exponent for everyday magnitudes:
 * 12345.6 → 12346, 123.45 → 123, 12.345 → 12.3, 1.2345 → 1.23, 0.012345 → 0.0123;
 * below 0.001 or from 1e9 on: 1.23e-5, 4.57e+9.
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e9 || abs < 1e-3) return x.toExponential(2);
  if (abs >= 100) return Math.round(x).toString();
  return Number(x.toPrecision(3)).toString();
}

/** Columns padded to their widest cell; numbers right-aligned; a dashed rule under the header. */
function alignColumns(table: string[][]): string {
  const widths = HEADER.map((_, c) => Math.max(...table.map((row) => [...row[c]!].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - [...cell].length);
        return RIGHT_ALIGNED.has(HEADER[c]!) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(table[0]!), rule, ...table.slice(1).map(line)].join('\n');
}
