import type { Density, DensityPoint } from '../density.ts';
import { DENSITY_LEGEND, densityGroups, densityMeanText, PENALTY_LEGEND, penaltyRows, penaltyText } from '../tables/density-cells.ts';
import { alsoAs } from './also-as.ts';
import { escapeHtml as h } from './escape.ts';

/**
 * The density section of the page: which guest counts ran on which backends, then a table of
 * the guests' sum, each guest's mean and the fairness at each count; the curves are among the
 * charts. Only when the runs measured a workload at more than one guest count.
 */
export function densitySection(density: Density | undefined, chartIds: readonly string[]): string {
  if (!density) return '';
  const head = `<tr><th>metric</th><th>guests</th>${density.variants.map((v) => `<th class="num">${h(v)}</th>`).join('')}</tr>`;
  const rows = densityGroups(density)
    .flatMap((g) =>
      g.rows.map(
        (row, i) =>
          `<tr>${i === 0 ? `<td class="label workload" rowspan="${g.rows.length}">${h(g.metric)}</td>` : ''}<td class="label">${h(row.label)}</td>${density.variants.map((v) => cell(row.cells[v])).join('')}</tr>`,
      ),
    )
    .join('\n');
  const penalties = penaltyRows(density)
    .map(
      (row) =>
        `<tr><td class="label workload">${h(row.metric)}</td><td class="label">${h(row.label)}</td>${density.variants.map((v) => (row.cells[v] ? `<td class="num">${h(penaltyText(row.cells[v]!))}</td>` : '<td class="num missing">–</td>')).join('')}</tr>`,
    )
    .join('\n');
  const curves = chartIds.map((id, i) => ({ id, label: density.workloads[i] ?? id }));
  return `<section id="density">
<h2>Density: guests at once on one host</h2>
<p><strong>Guests at once:</strong> ${h(density.guests.join(', '))}. <strong>Backends:</strong> ${h(density.variants.join(', '))}. Every guest waited at a start barrier until all had booted; then all ran the job together.</p>
<p>${h(DENSITY_LEGEND)}${density.penalties.length > 0 ? ` ${h(PENALTY_LEGEND)}` : ''} ${alsoAs('density', { curves })}</p>
<div class="table-wrap overview-wrap"><table class="overview">
<thead>${head}</thead>
<tbody>
${rows}${penalties ? `\n${penalties}` : ''}
</tbody>
</table></div>
</section>`;
}

function cell(p: DensityPoint | undefined): string {
  return p ? `<td class="num">${h(densityMeanText(p))}</td>` : '<td class="num missing">–</td>';
}
