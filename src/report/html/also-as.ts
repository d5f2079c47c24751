import { escapeHtml as h } from './escape.ts';

/**
 * The sentence under a section's table linking its other forms: `Also as Markdown and LaTeX`
 * (`<file>.md`, `<file>.tex`), then its figures: one chart, or a curve per workload.
 */
export function alsoAs(file: string, figures: { chart: string | undefined } | { curves: readonly { id: string; label: string }[] }): string {
  const links = 'chart' in figures ? (figures.chart ? `, and as a <a href="#figure-${h(figures.chart)}">chart</a>` : '') : curveLinks(figures.curves);
  return `Also as <a href="${file}.md">Markdown</a> and <a href="${file}.tex">LaTeX</a>${links}.`;
}

function curveLinks(curves: readonly { id: string; label: string }[]): string {
  const links = curves.map((c) => `<a href="#figure-${h(c.id)}">${h(c.label)}</a>`).join(', ');
  return links ? `, and as curves: ${links}` : '';
}
