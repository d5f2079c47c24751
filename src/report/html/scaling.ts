import type { Scaling, ScalingPoint } from '../scaling.ts';
import { meanText, ratioText, scalingGroups, scalingLegend } from '../tables/scaling-cells.ts';
import { alsoAs } from './also-as.ts';
import { escapeHtml as h } from './escape.ts';

/**
 * The scaling section of the page: which vCPU counts ran on which backends, then a table of
 * every metric at each vCPU count, each cell the mean with its 95 % interval and the ratio to
 * the reference; the curves are among the charts. Only when the runs measured a workload at
 * more than one vCPU count.
 */
export function scalingSection(scaling: Scaling | undefined, chartIds: readonly string[]): string {
  if (!scaling) return '';
  const head = `<tr><th>metric</th><th>guest</th>${scaling.variants.map((v) => `<th class="num">${h(v)}</th>`).join('')}</tr>`;
  const rows = scalingGroups(scaling)
    .flatMap((g) =>
      g.rows.map(
        (row, i) =>
          `<tr>${i === 0 ? `<td class="label workload" rowspan="${g.rows.length}">${h(g.metric)}</td>` : ''}<td class="label">${h(row.label)}</td>${scaling.variants.map((v) => cell(scaling, v, row.cells[v])).join('')}</tr>`,
      ),
    )
    .join('\n');
  const curves = chartIds.map((id, i) => ({ id, label: scaling.workloads[i] ?? id }));
  return `<section id="scaling">
<h2>Scaling with the guest's vCPUs</h2>
<p><strong>vCPUs:</strong> ${h(scaling.vcpus.join(', '))}. <strong>Backends:</strong> ${h(scaling.variants.join(', '))}.${scaling.reference === undefined ? '' : ` <strong>Reference:</strong> ${h(scaling.reference)}, at as many threads as the guest has vCPUs.`}</p>
<p>${h(scalingLegend(scaling))} ${alsoAs('scaling', { curves })}</p>
<div class="table-wrap overview-wrap"><table class="overview">
<thead>${head}</thead>
<tbody>
${rows}
</tbody>
</table></div>
</section>`;
}

function cell(scaling: Scaling, variant: string, p: ScalingPoint | undefined): string {
  if (!p) return '<td class="num missing">–</td>';
  const ratio = variant === scaling.reference ? '' : ratioText(p);
  return `<td class="num">${h(meanText(p))}${ratio ? `<br><span class="device">${h(ratio)} ÷ ${h(scaling.reference ?? '')}</span>` : ''}</td>`;
}
