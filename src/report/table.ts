import type { Sample } from '../results/sample.ts';
import { summarize, type Summary } from '../stats/summary.ts';
import { alignTable, fmtNumber } from '../stats/format.ts';

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
      fmtNumber(s.median),
      fmtNumber(s.mean),
      s.cv === undefined ? '–' : fmtNumber(s.cv * 100),
      fmtNumber(s.min),
      fmtNumber(s.max),
    ];
  });
  return alignTable(HEADER, cells, RIGHT_ALIGNED);
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

/** About three significant digits (see stats/format.ts): the one number format of every table. */
export { fmtNumber as formatNumber };
