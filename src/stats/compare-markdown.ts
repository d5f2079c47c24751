import { fmtP, isChange } from './compare.ts';
import type { CompareReport, CompareRow } from './compare-report.ts';
import { arrow, findingLine, ratioCell, summaryLine, verdictWord } from './compare-text.ts';
import { effect } from './findings.ts';
import { fmtChange } from './format.ts';
import { flagText, SANITY_TAGS } from './sanity.ts';
import { EVENT_CHANGES_TITLE, eventChangeLine } from './compare-events.ts';

/**
 * The compare report as Markdown for a pull-request comment: the changes only (regressions
 * and improvements, or worse and better), largest effect first (|ln B/A|), verdict first.
 * Labels come from run folders, which are untrusted: every cell is escaped so that it
 * cannot break the table or inject HTML.
 */

export function renderCompareMarkdown(report: CompareReport): string {
  const out: string[] = [];
  const title =
    report.mode === 'runs'
      ? `\`${cell(report.b.run)}\` against baseline \`${cell(report.a.run)}\``
      : `${cell(report.by ?? '')} against ${cell(report.a.value ?? '')} in \`${cell(report.a.run)}\``;
  out.push(`### hvbench compare: ${title}`, '', `**${cell(summaryLine(report))}**`, '');
  if (report.findings.length > 0) {
    for (const f of report.findings) out.push(`- ${cell(findingLine(f))}`);
    out.push('');
  }
  const changes = report.rows.filter((r) => isChange(r.comparison.verdict)).sort((x, y) => effect(y.comparison.ratio) - effect(x.comparison.ratio));
  if (changes.length === 0) {
    out.push(`No changes among the ${report.rows.length} series compared.`);
  } else {
    const gate = report.mode === 'runs';
    out.push(`| verdict | B/A [95 % CI] | change |${gate ? ' p adj. |' : ''} series | metric |`, `|---|---:|---:|${gate ? '---:|' : ''}---|---|`);
    for (const r of changes) out.push(row(r, gate));
  }
  const eventTitle = `**${cell(EVENT_CHANGES_TITLE.charAt(0).toUpperCase() + EVENT_CHANGES_TITLE.slice(1))}**`;
  if (report.eventChangesSkipped) out.push('', `${eventTitle}: ${cell(report.eventChangesSkipped)}`);
  if (report.eventChanges && report.eventChanges.length > 0) {
    out.push('', eventTitle, '');
    for (const c of report.eventChanges) out.push(`- ${cell(eventChangeLine(c))}`);
  }
  const flags = report.flags ?? [];
  if (flags.length > 0) {
    out.push('', '**Sanity flags**', '');
    for (const f of flags) {
      out.push(`- **${SANITY_TAGS[f.kind]}**: ${cell(flagText(f))}`);
      for (const item of f.items ?? []) out.push(`  - ${cell(item)}`);
    }
  }
  out.push('', `<sub>${cell(report.method.test)}</sub>`);
  return `${out.join('\n')}\n`;
}

function row(r: CompareRow, gate: boolean): string {
  const c = r.comparison;
  const p = gate ? ` ${c.pAdjusted === undefined ? '–' : cell(fmtP(c.pAdjusted))} |` : '';
  return `| ${c.verdict === 'regression' || c.verdict === 'worse' ? `**${verdictWord(c.verdict)}**` : verdictWord(c.verdict)} | ${cell(ratioCell(r))} | ${cell(fmtChange(c.change))} |${p} ${cell(r.label)} | ${cell(r.metric)} ${arrow(r.better)} |`;
}

/** Text safe inside a Markdown table cell: no pipe, no newline, no HTML. */
export function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'");
}
