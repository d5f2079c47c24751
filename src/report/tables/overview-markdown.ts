import type { Overview, OverviewCell } from '../overview.ts';
import { escapeMarkdown } from './markdown.ts';
import { overviewShareText } from './explained-cells.ts';
import {
  caseLabel,
  explainedColumnLegend,
  overviewColumns,
  marksLegend,
  metricLabel,
  numberNotes,
  repetitionsText,
  repetitionsVary,
  shortInterval,
  shortRatio,
  superscript,
  verdictMark,
  verdictText,
  whatTheNumbersAre,
} from './overview-cells.ts';

/**
 * The overview as a GitHub Markdown table for a PR comment: one row per workload
 * configuration and headline metric (`cpu (threads=2) — CPU: … (events/s) ↑`), one column
 * per variant, cells `0.12× [0.05, 0.26] ▼ worse`. A legend under the table says what the
 * numbers are and which way is better; the reference note and the facts that varied within
 * a series are footnotes, marked ¹ ² … where they apply.
 */
export function overviewMarkdown(overview: Overview): string {
  const { notes, footnotes } = numberNotes(overview);
  const withN = repetitionsVary(overview);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const columns = overviewColumns(overview);
  const out = [line(['workload — metric', ...columns.map((c) => escapeMarkdown(c.header))]), `| --- |${columns.map(() => ' ---: |').join('')}`];
  overview.rows.forEach((row, i) => {
    const label = `${escapeMarkdown(caseLabel(row))}${marks(notes[i]!.label)} — ${escapeMarkdown(metricLabel(row))}`;
    const cells = columns.map(({ variant: v, explained }) => {
      const cell = row.cells[v];
      if (explained) return escapeMarkdown(overviewShareText(cell?.explained));
      return cell === undefined ? '–' : `${cellText(cell, withN)}${marks(notes[i]!.cells[v] ?? [])}`;
    });
    out.push(line([label, ...cells]));
  });
  out.push(
    '',
    escapeMarkdown(
      `Cells: ${whatTheNumbersAre(overview)}${withN ? `; n = repetitions of the backend / of ${overview.reference}` : ''}; ${repetitionsText(overview)}. ↑ higher is better, ↓ lower is better. ${marksLegend(overview)}.${explainedColumnLegend(overview)}`,
    ),
  );
  if (footnotes.length > 0) out.push('', ...footnotes.map((text, i) => `- ${superscript(i + 1)} ${escapeMarkdown(text)}`));
  return `${out.join('\n')}\n`;
}

function cellText(cell: OverviewCell, withN: boolean): string {
  const n = withN ? ` (n=${cell.n}/${cell.nReference})` : '';
  if (cell.ratio === undefined || !Number.isFinite(cell.ratio)) return `– ${verdictText(cell.verdict)}${n}`;
  const ci = shortInterval(cell);
  return `${shortRatio(cell.ratio)}×${ci ? ` ${ci}` : ''} ${verdictMark(cell.verdict)} ${escapeMarkdown(verdictText(cell.verdict))}${n}`;
}

function marks(numbers: readonly number[]): string {
  return numbers.map(superscript).join(',');
}
