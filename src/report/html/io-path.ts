import type { IoPath, IoPathRow } from '../io-path.ts';
import { ioPathGroups, ioPathMark, knobsText, referenceText } from '../tables/io-path-cells.ts';
import { shortInterval, shortRatio } from '../tables/overview-cells.ts';
import { alsoAs } from './also-as.ts';
import { escapeHtml as h } from './escape.ts';

/**
 * The I/O path section of the page: which knobs the run varied and on which backends, then a
 * table of every knob change and metric, each cell the ratio to the same backend's base path
 * with its 95 % interval and verdict, and the reference's ratio to that base path. Only when
 * the run varied a knob.
 */
export function ioPathSection(ioPath: IoPath | undefined, chartId: string | undefined): string {
  if (!ioPath) return '';
  const head = `<tr><th>knob</th><th>metric</th>${ioPath.variants.map((v) => `<th class="num">${h(v)}</th>`).join('')}</tr>`;
  const rows = ioPathGroups(ioPath)
    .flatMap((g) =>
      g.rows.map(
        (row, i) =>
          `<tr>${i === 0 ? `<td class="label workload" rowspan="${g.rows.length}">${h(g.change)}</td>` : ''}<td class="label">${h(row.metric)}</td>${ioPath.variants.map((v) => cell(ioPath, row.cells[v])).join('')}</tr>`,
      ),
    )
    .join('\n');
  const reference =
    ioPath.reference === undefined
      ? ''
      : ` <strong>Reference:</strong> ${h(ioPath.reference)}, which has no I/O path of its own: its mean ÷ each base path's is given in the cells (how far the host itself is).`;
  return `<section id="io-path">
<h2>I/O path: each knob against its base value</h2>
<p><strong>Knobs:</strong> ${h(knobsText(ioPath))}. <strong>Backends:</strong> ${h(ioPath.variants.join(', '))}.${reference}</p>
<p>Each cell: the mean with the knob changed ÷ the mean of the same backend at the knob's base value, with the 95 % interval of the ratio; the verdict comes from the interval (faster or slower when it excludes 1, similar when it stays inside the noise band, otherwise inconclusive). ↑ higher is better, ↓ lower is better. ${alsoAs('io-path', { chart: chartId })}</p>
<div class="table-wrap overview-wrap"><table class="overview">
<thead>${head}</thead>
<tbody>
${rows}
</tbody>
</table></div>
${ioPath.unpaired.length > 0 ? `<ul class="notes">${ioPath.unpaired.map((u) => `<li>${h(u)}</li>`).join('')}</ul>` : ''}
</section>`;
}

/** Verdict classes of the overview's style: faster reads as better, slower as worse. */
const VERDICT_CLASS: Readonly<Record<string, string>> = { faster: 'better', slower: 'worse', similar: 'similar', inconclusive: 'inconclusive' };

function cell(ioPath: IoPath, r: IoPathRow | undefined): string {
  if (!r) return '<td class="num missing">–</td>';
  const ratio = r.ratio === undefined ? '–' : `${shortRatio(r.ratio)}×`;
  const interval = shortInterval(r);
  const ci = interval === '' ? '' : ` <span class="ci">${interval}</span>`;
  const reference = referenceText(ioPath, r);
  const ref = reference === '' ? '' : `<br><span class="device">${h(reference)}</span>`;
  const notes = r.notes.length > 0 ? `<br><span class="device">${h(r.notes.join('; '))}</span>` : '';
  return `<td class="num verdict-${h(VERDICT_CLASS[r.verdict] ?? 'none')}" title="${h(r.reason)}">${h(ratio)}${ci}<br><span class="verdict">${h(ioPathMark(r.verdict))} ${h(r.verdict)}</span>${ref}${notes}</td>`;
}
