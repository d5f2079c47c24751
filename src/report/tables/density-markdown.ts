import type { Density } from '../density.ts';
import { escapeMarkdown } from './markdown.ts';
import { DENSITY_LEGEND, densityGroups, densityMeanText, PENALTY_LEGEND, penaltyRows, penaltyText } from './density-cells.ts';

/** The density table as GitHub Markdown: a row per metric and guest count, a column per variant; each cell the mean with its 95 % interval. */
export function densityMarkdown(density: Density): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const out = [line(['metric', 'guests', ...density.variants.map(escapeMarkdown)]), `| --- | --- |${density.variants.map(() => ' ---: |').join('')}`];
  for (const g of densityGroups(density)) {
    for (const row of g.rows) {
      const cells = density.variants.map((v) => (row.cells[v] === undefined ? '–' : escapeMarkdown(densityMeanText(row.cells[v]!))));
      out.push(line([escapeMarkdown(g.metric), escapeMarkdown(row.label), ...cells]));
    }
  }
  for (const row of penaltyRows(density)) {
    const cells = density.variants.map((v) => (row.cells[v] === undefined ? '–' : escapeMarkdown(penaltyText(row.cells[v]!))));
    out.push(line([escapeMarkdown(row.metric), escapeMarkdown(row.label), ...cells]));
  }
  out.push('', escapeMarkdown(DENSITY_LEGEND));
  if (density.penalties.length > 0) out.push('', escapeMarkdown(PENALTY_LEGEND));
  return `${out.join('\n')}\n`;
}
