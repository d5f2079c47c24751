import { fmtP, isChange, type Verdict } from './compare.ts';
import type { CompareReport, CompareRow } from './compare-report.ts';
import type { Finding } from './findings.ts';
import { alignTable, fmtChange, fmtNumber, fmtRatio } from './format.ts';
import { renderFlags } from './sanity.ts';
import { EVENT_CHANGES_TITLE, eventChangeLine } from './compare-events.ts';

/**
 * The compare report as text for a terminal. The verdict and B/A [CI] come first in every
 * row, so they stay visible when a narrow terminal cuts the long series labels off; in a
 * regression-gate report the findings come before the table.
 */

const GATE_HEADER = ['verdict', 'B/A [95 % CI]', 'change', 'p adj.', 'series', 'metric', 'n A', 'n B', 'mean A', 'mean B'];
const BY_HEADER = ['verdict', 'B/A [95 % CI]', 'change', 'series', 'metric', 'n A', 'n B', 'mean A', 'mean B'];
const RIGHT = new Set(['change', 'p adj.', 'n A', 'n B', 'mean A', 'mean B']);
/** Rows of the gate in this order of verdicts: what needs attention first. */
const GATE_ORDER: readonly Verdict[] = ['regression', 'improvement', 'not-computable', 'no-change'];

export function renderCompare(report: CompareReport): string {
  const out: string[] = [];
  if (report.mode === 'runs') {
    out.push(`A (baseline): ${report.a.run}`, `B (run):      ${report.b.run}`);
  } else {
    out.push(`run ${report.a.run}: ${report.by} ${(report.b.values ?? []).join(', ') || '(no other values)'} (B) against ${report.by} ${report.a.value} (A)`);
  }
  const m = report.method;
  out.push(`method: ${m.test}; B/A interval: ${m.ratioCi === 'log-t' ? 'Welch t on the log ratio' : 'percentile bootstrap'}, 95 %; seed ${m.seed}`, '');
  if (report.findings.length > 0) {
    out.push('findings:');
    for (const f of report.findings) out.push(`  ${findingLine(f)}`);
    out.push('');
  }
  if (report.rows.length === 0) out.push('no series to compare');
  else if (report.mode === 'runs') {
    const rows = [...report.rows].sort((x, y) => GATE_ORDER.indexOf(x.comparison.verdict) - GATE_ORDER.indexOf(y.comparison.verdict));
    out.push(
      alignTable(
        GATE_HEADER,
        rows.map((r) => cells(r, report.mode)),
        RIGHT,
      ),
    );
  } else
    out.push(
      alignTable(
        BY_HEADER,
        report.rows.map((r) => cells(r, report.mode)),
        RIGHT,
      ),
    );
  if (report.eventChangesSkipped) out.push('', `${EVENT_CHANGES_TITLE}: ${report.eventChangesSkipped}`);
  if (report.eventChanges && report.eventChanges.length > 0) {
    out.push('', `${EVENT_CHANGES_TITLE}:`);
    for (const c of report.eventChanges) out.push(`  ${eventChangeLine(c)}`);
  }
  const notes = report.rows.filter((r) => {
    const v = r.comparison.verdict;
    return v === 'not-computable' || (report.mode === 'runs' && (v !== 'no-change' || /significant \(|cannot be significant/.test(r.comparison.reason)));
  });
  if (notes.length > 0) {
    out.push('', 'notes:');
    for (const r of notes) {
      const settings = report.mode === 'runs' ? ` (alpha ${r.comparison.alpha}, noise threshold ${fmtNumber(r.comparison.noiseThreshold * 100)} %)` : '';
      out.push(`  ${r.label} ${r.metric}: ${r.comparison.reason}${settings}`);
    }
  }
  const flags = renderFlags(report.flags ?? []);
  if (flags.length > 0) out.push('', ...flags);
  for (const c of report.provenanceChanges) out.push('', `${c.dim} changed: ${c.a.join(', ') || '(none)'} → ${c.b.join(', ') || '(none)'}`);
  const { onlyA, onlyB } = report.unmatched;
  if (onlyA.length > 0) out.push('', `only in A (${onlyA.length}): ${onlyA.join('; ')}`);
  if (onlyB.length > 0)
    out.push('', `${report.mode === 'runs' ? 'only in B' : `no ${report.by} ${report.a.value} to compare with`} (${onlyB.length}): ${onlyB.join('; ')}`);
  out.push('', summaryLine(report));
  return `${out.join('\n')}\n`;
}

/** `0.808 [0.793, 0.822]`, or the ratio alone, or `–`. */
export function ratioCell(r: CompareRow): string {
  const c = r.comparison;
  const ci = c.ratioCi ? ` [${fmtRatio(c.ratioCi.lo)}, ${fmtRatio(c.ratioCi.hi)}]` : '';
  return `${fmtRatio(c.ratio)}${ci}`;
}

export function arrow(better: CompareRow['better']): string {
  return better === 'higher' ? '↑' : '↓';
}

function cells(r: CompareRow, mode: CompareReport['mode']): string[] {
  const c = r.comparison;
  const head = [verdictWord(c.verdict), ratioCell(r), fmtChange(c.change)];
  const p = c.pAdjusted === undefined ? '–' : fmtP(c.pAdjusted);
  const tail = [r.label, `${r.metric} ${arrow(r.better)}`, String(c.nA), String(c.nB), fmtNumber(c.meanA), fmtNumber(c.meanB)];
  return mode === 'runs' ? [...head, p, ...tail] : [...head, ...tail];
}

/** `regression: kvm boot.to_ready_ms ↓ in 8 cases, B/A 1.09–1.12: kvm/boot, kvm/cpu threads=1, …` */
export function findingLine(f: Finding): string {
  const range = f.ratioRange
    ? f.ratioRange.min === f.ratioRange.max
      ? fmtRatio(f.ratioRange.min)
      : `${fmtRatio(f.ratioRange.min)}–${fmtRatio(f.ratioRange.max)}`
    : '–';
  const n = f.cases.length;
  return `${f.verdict}: ${f.variant} ${f.metric} ${arrow(f.better)} in ${n} case${n === 1 ? '' : 's'}, B/A ${range}: ${f.cases.map((c) => c.label).join(', ')}`;
}

export function verdictWord(v: Verdict): string {
  if (v === 'no-change') return 'no significant change';
  if (v === 'not-computable') return 'not computable';
  return v;
}

export function summaryLine(report: CompareReport): string {
  const count = (v: Verdict) => report.counts[v] ?? 0;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const notComputable = count('not-computable') > 0 ? `, ${count('not-computable')} not computable` : '';
  if (report.mode === 'by')
    return `against ${report.by} ${report.a.value}: ${count('worse')} worse, ${count('better')} better, ${count('similar')} similar, ${count('inconclusive')} inconclusive${notComputable}`;
  const findings = report.findings.length > 0 ? ` (${plural(report.findings.length, 'finding', 'findings')})` : '';
  return `${plural(count('regression'), 'regression', 'regressions')}, ${plural(count('improvement'), 'improvement', 'improvements')}${findings}, ${count('no-change')} without significant change${notComputable}`;
}

/** How many rows report a difference (regressions and improvements, or worse and better). */
export function changeCount(report: CompareReport): number {
  return report.rows.filter((r) => isChange(r.comparison.verdict)).length;
}
