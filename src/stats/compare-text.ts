import { fmtP, type Verdict } from './compare.ts';
import type { CompareReport, CompareRow } from './compare-report.ts';
import { alignTable, fmtChange, fmtNumber, fmtRatio } from './format.ts';

/** The compare report as text for a terminal. */

const HEADER = ['series', 'metric', 'n A', 'n B', 'mean A', 'mean B', 'B/A [95 % CI]', 'change', 'p', 'verdict'];
const RIGHT = new Set(['n A', 'n B', 'mean A', 'mean B', 'change', 'p']);

export function renderCompare(report: CompareReport): string {
  const out: string[] = [];
  if (report.mode === 'runs') {
    out.push(`A (baseline): ${report.a.run}`, `B (run):      ${report.b.run}`);
  } else {
    out.push(`run ${report.a.run}: ${report.by} ${(report.b.values ?? []).join(', ') || '(no other values)'} (B) against ${report.by} ${report.a.value} (A)`);
  }
  const m = report.method;
  out.push(`p: ${m.test}, ${m.permutations} permutations (exact when fewer splits exist), seed ${m.seed}; B/A interval: ${m.ratioCi === 'log-t' ? 'Welch t on the log ratio' : 'percentile bootstrap'}, 95 %`, '');
  if (report.rows.length === 0) out.push('no series to compare');
  else out.push(alignTable(HEADER, report.rows.map((r) => cells(r, report.mode)), RIGHT));
  const notes = report.rows.filter((r) => r.comparison.verdict !== 'no-change' || /significant \(|cannot be significant|too few/.test(r.comparison.reason));
  if (notes.length > 0) {
    out.push('', 'notes:');
    for (const r of notes) out.push(`  ${r.label} ${r.metric}: ${r.comparison.reason} (alpha ${r.comparison.alpha}, noise threshold ${fmtNumber(r.comparison.noiseThreshold * 100)} %)`);
  }
  for (const c of report.provenanceChanges) out.push('', `${c.dim} changed: ${c.a.join(', ') || '(none)'} → ${c.b.join(', ') || '(none)'}`);
  const { onlyA, onlyB } = report.unmatched;
  if (onlyA.length > 0) out.push('', `only in A (${onlyA.length}): ${onlyA.join('; ')}`);
  if (onlyB.length > 0) out.push('', `${report.mode === 'runs' ? 'only in B' : `no ${report.by} ${report.a.value} to compare with`} (${onlyB.length}): ${onlyB.join('; ')}`);
  out.push('', summaryLine(report));
  return `${out.join('\n')}\n`;
}

function cells(r: CompareRow, mode: CompareReport['mode']): string[] {
  const c = r.comparison;
  const ci = c.ratioCi ? ` [${fmtRatio(c.ratioCi.lo)}, ${fmtRatio(c.ratioCi.hi)}]` : '';
  const arrow = r.better === 'higher' ? '↑' : '↓';
  return [r.label, `${r.metric} ${arrow}`, String(c.nA), String(c.nB), fmtNumber(c.meanA), fmtNumber(c.meanB), `${fmtRatio(c.ratio)}${ci}`, fmtChange(c.change), c.pValue === undefined ? '–' : fmtP(c.pValue), verdictWord(c.verdict, mode)];
}

export function verdictWord(v: Verdict, mode: CompareReport['mode']): string {
  if (v === 'no-change') return 'no significant change';
  if (mode === 'by') return v === 'regression' ? 'worse' : 'better';
  return v;
}

function summaryLine(report: CompareReport): string {
  const { regression, improvement } = report.counts;
  const none = report.counts['no-change'];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (report.mode === 'by') return `against ${report.by} ${report.a.value}: ${regression} worse, ${improvement} better, ${none} without significant change`;
  return `${plural(regression, 'regression', 'regressions')}, ${plural(improvement, 'improvement', 'improvements')}, ${none} without significant change`;
}
