import type { Explained } from '../explained.ts';
import { explainedHeader, explainedLegend, explainedTable } from './explained-cells.ts';
import { escapeMarkdown } from './markdown.ts';
import { superscript } from './overview-cells.ts';

/** "Where the time goes" as GitHub Markdown: a row per backend, workload configuration and step; why a case is not modelled as a footnote. */
export function explainedMarkdown(explained: Explained): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const { rows, notes } = explainedTable(explained);
  const out = [line(explainedHeader(explained.reference)), '| --- | ---: | ---: | ---: | --- | --- |', ...rows.map(line)];
  out.push('', escapeMarkdown(explainedLegend(explained.reference)));
  if (notes.length > 0) out.push('', ...notes.map((n, i) => `- ${superscript(i + 1)} not modelled: ${escapeMarkdown(n)}`));
  return `${out.join('\n')}\n`;
}
