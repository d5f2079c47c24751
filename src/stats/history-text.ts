import { fmtP } from './compare.ts';
import { alignTable, fmtChange, fmtNumber } from './format.ts';
import type { HistorySeries } from './history.ts';
import { seriesLabel, varyingDims } from './series.ts';

/** The history of a metric as text: one table per series, flagged rows marked. */

const HEADER = ['date', 'point', 'n', 'mean', '95 % CI', 'change', 'p', 'flag'];
const RIGHT = new Set(['n', 'mean', 'change', 'p']);

export function renderHistory(series: readonly HistorySeries[]): string {
  if (series.length === 0) return 'no samples of this metric in these runs\n';
  const extra = varyingDims(series.map((s) => s.dims));
  const blocks = series.map((s) => {
    const title = `${seriesLabel(s.dims, extra)}: ${s.metric} (${s.unit}, ${s.better} is better)`;
    const rows = s.points.map((p) => {
      const c = p.change;
      const ci = p.summary.ci95 ? `[${fmtNumber(p.summary.ci95.lo)}, ${fmtNumber(p.summary.ci95.hi)}]` : '–';
      const flag = p.flagged && c ? `<< ${c.verdict}` : '';
      return [p.date.slice(0, 16).replace('T', ' '), p.label, String(p.summary.n), fmtNumber(p.summary.mean), ci, fmtChange(c?.change), c?.pValue === undefined ? '' : fmtP(c.pValue), flag];
    });
    const flagged = s.points.filter((p) => p.flagged).length;
    return `${title}\n${alignTable(HEADER, rows, RIGHT)}\n${flagged} change${flagged === 1 ? '' : 's'} flagged over ${s.points.length} point${s.points.length === 1 ? '' : 's'}`;
  });
  return `${blocks.join('\n\n')}\n`;
}
