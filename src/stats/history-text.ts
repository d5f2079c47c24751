import { fmtP } from './compare.ts';
import { verdictWord } from './compare-text.ts';
import { alignTable, fmtChange, fmtNumber } from './format.ts';
import type { HistorySeries } from './history.ts';
import { seriesLabel, varyingDims } from './series.ts';

/**
 * The history of a metric as text: one table per series. Each row is one point (a run,
 * or a revision): its date, the verdict against the point before (first, so it stays
 * visible on a narrow terminal), the mean with its 95 % interval, the change, and the
 * full run id or revision last.
 */

const HEADER = ['date', 'verdict', 'mean [95 % CI]', 'change', 'p adj.', 'n', 'point'];
const RIGHT = new Set(['change', 'p adj.', 'n']);

export function renderHistory(series: readonly HistorySeries[]): string {
  if (series.length === 0) return 'no samples of this metric in these runs\n';
  const extra = varyingDims(series.map((s) => s.dims));
  const family = series[0]?.points.find((p) => p.change?.familySize !== undefined)?.change?.familySize;
  const blocks = series.map((s) => {
    const title = `${seriesLabel(s.dims, extra)}: ${s.metric} (${s.unit}, ${s.better} is better)`;
    const rows = s.points.map((p) => {
      const c = p.change;
      const ci = p.summary.ci95 ? ` [${fmtNumber(p.summary.ci95.lo)}, ${fmtNumber(p.summary.ci95.hi)}]` : '';
      const verdict = c === undefined ? '' : p.flagged ? `<< ${c.verdict}` : verdictWord(c.verdict);
      return [
        p.date.slice(0, 16).replace('T', ' '),
        verdict,
        `${fmtNumber(p.summary.mean)}${ci}`,
        fmtChange(c?.change),
        c?.pAdjusted === undefined ? '' : fmtP(c.pAdjusted),
        String(p.summary.n),
        p.label,
      ];
    });
    const flagged = s.points.filter((p) => p.flagged).length;
    const notes = s.points.filter((p) => p.change?.verdict === 'not-computable').map((p) => `  ${p.label}: not computable: ${p.change!.reason}`);
    return [
      `${title}`,
      alignTable(HEADER, rows, RIGHT),
      `${flagged} change${flagged === 1 ? '' : 's'} flagged over ${s.points.length} point${s.points.length === 1 ? '' : 's'}`,
      ...notes,
    ].join('\n');
  });
  const footer =
    family === undefined
      ? ''
      : `\np adjusted over the ${family} step${family === 1 ? '' : 's'} shown (Holm); a step is flagged when its adjusted p is below alpha and its interval reaches the noise threshold\n`;
  return `${blocks.join('\n\n')}\n${footer}`;
}
