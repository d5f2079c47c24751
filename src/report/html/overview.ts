import type { Overview, OverviewCell } from '../overview.ts';
import { overviewShareText } from '../tables/explained-cells.ts';
import { explainedColumnLegend, overviewColumns, shortInterval, shortRatio } from '../tables/overview-cells.ts';
import { alsoAs } from './also-as.ts';
import { escapeHtml as h } from './escape.ts';

/**
 * The overview on the page: workloads as rows, backends as columns, each cell the ratio to
 * the reference with its 95 % interval and the verdict taken from the interval. The first
 * thing a reader sees, before any chart.
 */
export function overviewSection(overview: Overview | undefined, chartId: string | undefined): string {
  if (!overview) return '';
  const columns = overviewColumns(overview);
  const head = `<tr><th>workload</th>${columns.map((c) => `<th class="num${c.explained ? ' explained' : ''}">${h(c.explained ? 'explained' : c.header)}</th>`).join('')}</tr>`;
  const notes: string[] = [];
  const note = (text: string) => {
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return `<sup>${i + 1}</sup>`;
  };
  const rows = overview.rows
    .map((r) => {
      const name = `${h(r.metricTitle)} ${r.better === 'higher' ? '↑' : '↓'}${r.configuration ? ` <span class="config">${h(r.configuration)}</span>` : ''}${r.referenceNote ? note(r.referenceNote) : ''}`;
      const cells = columns.map((c) => (c.explained ? explainedCell(r.cells[c.variant]) : cell(r.cells[c.variant], note))).join('');
      return `<tr><td class="label"><span class="workload">${h(r.workload)}</span> ${name}</td>${cells}</tr>`;
    })
    .join('\n');
  return `<section id="overview">
<h2>Overview: every backend against ${h(overview.reference)}</h2>
<p>Ratio of means to ${h(overview.reference)} for each workload's headline metric, with the 95 % interval of the ratio; the verdict comes from the interval (worse or better when it excludes 1, similar when it stays inside the noise band). ↑ higher is better, ↓ lower is better.${h(explainedColumnLegend(overview))} ${alsoAs('overview', { chart: chartId })}</p>
<div class="table-wrap overview-wrap"><table class="overview">
<thead>${head}</thead>
<tbody>
${rows}
</tbody>
</table></div>
${notes.length > 0 ? `<ol class="notes">${notes.map((n) => `<li>${h(n)}</li>`).join('')}</ol>` : ''}
</section>`;
}

function explainedCell(c: OverviewCell | undefined): string {
  if (c?.explained === undefined) return '<td class="num missing explained">–</td>';
  return `<td class="num explained" title="${h(`step ${c.explained.step}`)}">${h(overviewShareText(c.explained))}</td>`;
}

function cell(c: OverviewCell | undefined, note: (text: string) => string): string {
  if (!c) return '<td class="num missing">–</td>';
  const ratio = c.ratio === undefined ? '–' : `${shortRatio(c.ratio)}×`;
  const interval = shortInterval(c);
  const ci = interval === '' ? '' : ` <span class="ci">${interval}</span>`;
  const marks = c.notes.map(note).join('');
  const device = c.device ? ` <span class="device">${h(c.device)}</span>` : '';
  return `<td class="num verdict-${h(c.verdict)}">${h(ratio)}${ci}<br><span class="verdict">${h(c.verdict)}</span>${device}${marks}</td>`;
}
