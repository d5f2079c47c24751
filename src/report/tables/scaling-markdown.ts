import type { Scaling } from '../scaling.ts';
import { escapeMarkdown } from './markdown.ts';
import { meanText, ratioText, scalingGroups, scalingLegend } from './scaling-cells.ts';

/**
 * The scaling table as GitHub Markdown: a row per metric and vCPU count, a column per
 * variant; each cell the mean with its 95 % interval, then the ratio to the reference
 * (`1843 [1790, 1896]; 0.12× [0.11, 0.13] ÷ native`).
 */
export function scalingMarkdown(scaling: Scaling): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const out = [line(['metric', 'guest', ...scaling.variants.map(escapeMarkdown)]), `| --- | --- |${scaling.variants.map(() => ' ---: |').join('')}`];
  for (const g of scalingGroups(scaling)) {
    for (const row of g.rows) {
      const cells = scaling.variants.map((v) => {
        const p = row.cells[v];
        if (p === undefined) return '–';
        const ratio = v === scaling.reference ? '' : ratioText(p);
        return escapeMarkdown(`${meanText(p)}${ratio ? `; ${ratio} ÷ ${scaling.reference}` : ''}`);
      });
      out.push(line([escapeMarkdown(g.metric), escapeMarkdown(row.label), ...cells]));
    }
  }
  out.push('', escapeMarkdown(scalingLegend(scaling)));
  return `${out.join('\n')}\n`;
}
