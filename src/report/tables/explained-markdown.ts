import type { Explained } from '../explained.ts';
import { explainedHeader, explainedCells, explainedLegend, shownRows } from './explained-cells.ts';
import { escapeMarkdown } from './markdown.ts';

/** "Where the time goes" as GitHub Markdown: a row per backend, workload configuration and step. */
export function explainedMarkdown(explained: Explained): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const out = [
    line(explainedHeader(explained.reference)),
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...shownRows(explained).map((r) => line(explainedCells(r))),
  ];
  out.push('', escapeMarkdown(explainedLegend(explained.reference)));
  return `${out.join('\n')}\n`;
}
