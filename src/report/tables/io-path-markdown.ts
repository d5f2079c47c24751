import type { IoPath } from '../io-path.ts';
import { ioPathGroups, ioPathLegend, ioPathMark, ratioText, referenceText } from './io-path-cells.ts';
import { escapeMarkdown } from './markdown.ts';

/**
 * The I/O path table as GitHub Markdown: a row per knob change and metric, a column per
 * variant; each cell the ratio to the base path with its 95 % interval, the verdict mark and
 * word, and the reference's ratio where it ran (`1.05× [0.98, 1.12] ? inconclusive; native 9.6×`).
 */
export function ioPathMarkdown(ioPath: IoPath): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const out = [line(['knob', 'metric', ...ioPath.variants.map(escapeMarkdown)]), `| --- | --- |${ioPath.variants.map(() => ' ---: |').join('')}`];
  for (const g of ioPathGroups(ioPath)) {
    for (const row of g.rows) {
      const cells = ioPath.variants.map((v) => {
        const r = row.cells[v];
        if (r === undefined) return '–';
        const reference = referenceText(ioPath, r);
        return escapeMarkdown(`${ratioText(r)} ${ioPathMark(r.verdict)} ${r.verdict}${reference ? `; ${reference}` : ''}`);
      });
      out.push(line([escapeMarkdown(g.change), escapeMarkdown(row.metric), ...cells]));
    }
  }
  out.push('', escapeMarkdown(ioPathLegend(ioPath)));
  if (ioPath.unpaired.length > 0) out.push('', ...ioPath.unpaired.map((u) => `- ${escapeMarkdown(u)}`));
  return `${out.join('\n')}\n`;
}
