import type { Explained } from '../explained.ts';
import { comparedRows, explainedHeader, explainedLegend, explainedTable, shownRows } from '../tables/explained-cells.ts';
import { alsoAs } from './also-as.ts';
import { escapeHtml as h } from './escape.ts';

/**
 * "Where the time goes" on the page: the figure's numbers as a table, a row per backend,
 * workload configuration and step, the modelled ones with their gap, explained share and
 * top events, the others with their counts and why they are not modelled. Only when the runs
 * counted events (`run --count-events`).
 */
export function explainedSection(explained: Explained | undefined, chartId: string | undefined): string {
  if (!explained) return '';
  const rows = shownRows(explained);
  const compared = comparedRows(explained);
  if (compared.length === 0) return '';
  const modelled = compared.filter((r) => r.model !== undefined).length;
  const numeric = new Set([1, 2, 3]);
  const head = `<tr>${explainedHeader(explained.reference)
    .map((c, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${h(c)}</th>`)
    .join('')}</tr>`;
  const table = explainedTable(explained);
  const body = table.rows
    .map((cells, k) => {
      const tds = cells.map((c, i) => `<td class="${numeric.has(i) ? 'num' : 'label'}">${h(c)}</td>`);
      const row = rows[k]!;
      return `<tr class="${row.variant === explained.reference ? 'reference' : row.model ? 'modelled' : 'not-modelled'}">${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<section id="explained">
<h2>Where the time goes</h2>
<p>${modelled} of ${compared.length} counted steps modelled${explained.reference === undefined ? '' : ` against ${h(explained.reference)}`}. ${h(explainedLegend(explained.reference))} ${alsoAs('explained', { chart: chartId })}</p>
<div class="table-wrap"><table class="explained">
<thead>${head}</thead>
<tbody>
${body}
</tbody>
</table></div>
${table.notes.length > 0 ? `<ol class="notes">${table.notes.map((n) => `<li>not modelled: ${h(n)}</li>`).join('')}</ol>` : ''}
</section>`;
}
