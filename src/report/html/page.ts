import { createHash } from 'node:crypto';
import { fmtNumber } from '../../stats/format.ts';
import { fmtChange, fmtRatio } from '../../stats/format.ts';
import { fmtP, isChange } from '../../stats/compare.ts';
import { summaryLine, verdictWord } from '../../stats/compare-text.ts';
import type { ReportModel } from '../build.ts';
import { metricName } from '../metric-names.ts';
import { warningCounts, type ReportWarning } from '../warnings.ts';
import type { SummaryTable } from '../tables/cells.ts';
import { alsoAs } from './also-as.ts';
import { escapeHtml as h, jsonForScript } from './escape.ts';
import type { InlineLibrary } from './assets.ts';
import { ioPathSection } from './io-path.ts';
import { scalingSection } from './scaling.ts';
import { densitySection } from './density.ts';
import { explainedSection } from './explained.ts';
import { overviewSection } from './overview.ts';
import { PAGE_CSS } from './style.ts';
import { SANITY_TAGS } from '../../stats/sanity.ts';

/**
 * The self-contained report page: summary table, charts (embedded with vega-embed from the
 * inlined libraries), warnings and methodology. Every string from a run is escaped; the
 * specs travel as JSON in a data element and never as markup. A Content-Security-Policy
 * forbids every network request, so the page provably needs none, and runs only the
 * scripts hvbench put there: each inline script is allowed by its sha256 hash, with no
 * 'unsafe-inline' and no 'unsafe-eval' (vega-embed draws with vega's expression
 * interpreter, `ast: true`, instead of compiling expressions with `new Function`). So a
 * string that escaped the escaping still could not run.
 */

/** The script that draws the charts from the specs' data element. */
const DRAW_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById('hvbench-specs').textContent);
  var pending = specs.map(function (c) {
    var el = document.getElementById('chart-' + c.id);
    return vegaEmbed(el, c.spec, { renderer: 'svg', ast: true, actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function () { el.setAttribute('data-rendered', 'true'); })
      .catch(function (e) {
        el.setAttribute('data-rendered', 'error');
        el.textContent = 'This chart could not be drawn: ' + e.message;
        console.error('chart ' + c.id + ': ' + e.message);
      });
  });
  Promise.all(pending).then(function () { document.body.setAttribute('data-charts', 'done'); });
})();
`;

/** `'sha256-…'`: a CSP source that allows exactly the inline script with this text. */
export function scriptHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The page's policy: only these inline scripts, no eval, no network, no plugins, no forms. */
export function pageCsp(scripts: readonly string[]): string {
  return `default-src 'none'; script-src ${scripts.map(scriptHash).join(' ')}; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'`;
}

export function renderPage(model: ReportModel, table: SummaryTable, libraries: readonly InlineLibrary[]): string {
  const specs = model.charts.map((c) => ({ id: c.id, spec: c.spec }));
  const csp = pageCsp([...libraries.map((l) => l.source), DRAW_SCRIPT]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hvbench">
<title>${h(model.title)}</title>
<style>${PAGE_CSS}</style>
${libraries.map((l) => `<script data-library="${h(l.name)}" data-version="${h(l.version)}">${l.source}</script>`).join('\n')}
</head>
<body>
<header>
<h1>${h(model.title)}</h1>
<p class="meta">Runs: ${model.runs.map((r) => `<code>${h(r)}</code>`).join(', ')}${model.baseline ? `; baseline <code>${h(model.baseline)}</code>` : ''}. ${model.reference ? `Normalised to <strong>${h(model.reference)}</strong>. ` : ''}Generated ${h(model.generatedAt)}.</p>
${model.labHosts.length > 0 ? `<p class="lab" role="alert"><strong>Lab figures.</strong> ${h(model.warnings.find((w) => w.kind === 'lab')?.text ?? '')}</p>` : ''}
${model.pooled ? `<p class="pooled"><strong>Pooled runs.</strong> Every series holds the repetitions of all ${model.runs.length} runs.</p>` : ''}
<nav>${model.overview ? '<a href="#overview">Overview</a> · ' : ''}${model.scaling ? '<a href="#scaling">Scaling</a> · ' : ''}${model.density ? '<a href="#density">Density</a> · ' : ''}${model.explained ? '<a href="#explained">Where the time goes</a> · ' : ''}${model.ioPath ? '<a href="#io-path">I/O path</a> · ' : ''}<a href="#summary">Summary</a> · <a href="#charts">Charts</a> · <a href="#warnings">Warnings (${h(warningHeadline(model.warnings))})</a> · <a href="#methodology">Methodology</a></nav>
</header>
<main>
${overviewSection(model.overview, model.charts.find((c) => c.id === 'overview')?.id)}
${comparisonSection(model)}
${scalingSection(
  model.scaling,
  model.charts.filter((c) => c.id.startsWith('scaling-')).map((c) => c.id),
)}
${densitySection(
  model.density,
  model.charts.filter((c) => c.id.startsWith('density-')).map((c) => c.id),
)}
${explainedSection(model.explained, model.charts.find((c) => c.id === 'explained')?.id)}
${ioPathSection(model.ioPath, model.charts.find((c) => c.id.startsWith('io-path-'))?.id)}
<section id="summary">
<h2>Summary</h2>
<p>Means of the repetitions with 95 % confidence intervals (Student t; on the log scale when every value is positive, so the interval of a positive quantity stays positive). ${alsoAs('summary', { chart: undefined })}</p>
${htmlTable(table)}
</section>
<section id="charts">
<h2>Charts</h2>
${model.charts
  .map(
    (c) => `<figure id="figure-${h(c.id)}">
<div class="chart" id="chart-${h(c.id)}" data-chart="${h(c.id)}"></div>
<figcaption>${h(c.title)} — <a href="${h(c.id)}.svg">SVG</a> · <a href="${h(c.id)}.png">PNG</a> · <a href="${h(c.id)}.vl.json">Vega-Lite spec</a></figcaption>
</figure>`,
  )
  .join('\n')}
</section>
<section id="warnings">
<h2>Warnings</h2>
${model.warnings.length === 0 ? '<p>None.</p>' : `<p>${h(warningHeadline(model.warnings))}.</p><ul>${model.warnings.map((w) => `<li class="warning-${h(w.kind)}"><span class="tag">${h(WARNING_TAGS[w.kind])}</span> ${h(w.text)}${w.items && w.items.length > 1 ? `<details><summary>${w.items.length} ${w.kind === 'note' ? 'metrics' : w.kind === 'cv-outlier' ? 'series' : 'cases'}</summary>${h(w.items.join(', '))}</details>` : w.items?.length === 1 && !w.text.includes(w.items[0]!) ? `: ${h(w.items[0]!)}` : ''}</li>`).join('\n')}</ul>`}
</section>
<section id="methodology">
<h2>Methodology</h2>
<dl>
${model.methodology.map((m) => `<dt>${h(m.label)}</dt>${m.lines.map((l) => `<dd>${h(l)}</dd>`).join('')}`).join('\n')}
</dl>
</section>
</main>
<script type="application/json" id="hvbench-specs">${jsonForScript(specs)}</script>
<script>${DRAW_SCRIPT}</script>
</body>
</html>
`;
}

const WARNING_TAGS: Record<ReportWarning['kind'], string> = {
  ...SANITY_TAGS,
  run: 'run',
  case: 'failed',
  skip: 'skipped',
  outlier: 'outlier',
  network: 'network',
  note: 'note',
  'busy-host': 'busy host',
  equivalence: 'not the same guest',
};

/** `1 failed case, 3 expected skips, 2 notes`. */
function warningHeadline(warnings: readonly ReportWarning[]): string {
  const c = warningCounts(warnings);
  const parts: string[] = [];
  const add = (n: number, one: string, many: string) => n > 0 && parts.push(`${n} ${n === 1 ? one : many}`);
  add(c.case, 'failed case', 'failed cases');
  add(c.run, 'run problem', 'run problems');
  add(c.lab, 'lab notice', 'lab notices');
  add(c.skip, 'expected skip', 'expected skips');
  add(c.outlier, 'outlier series', 'outlier series');
  add(c.network, 'network case on user-mode networking', 'network cases on user-mode networking');
  add(c.note, 'metric note', 'metric notes');
  add(c['busy-host'], 'repetition on a busy host', 'repetitions on a busy host');
  add(c.equivalence, 'comparison of unlike guests', 'comparisons of unlike guests');
  add(c['faster-than-native'], 'figure faster than native', 'figures faster than native');
  add(c['clock-drift'], 'case with clock drift', 'cases with clock drift');
  add(c['cv-outlier'], 'CV outlier', 'CV outliers');
  return parts.join(', ') || 'none';
}

function htmlTable(table: SummaryTable): string {
  const cell = (tag: string, text: string, numeric: boolean | undefined) => `<${tag}${numeric ? ' class="num"' : ''}>${h(text)}</${tag}>`;
  return `<div class="table-wrap"><table>
<thead><tr>${table.header.map((c, i) => cell('th', c, table.numeric[i])).join('')}</tr></thead>
<tbody>
${table.rows.map((r) => `<tr>${r.map((c, i) => cell('td', c, table.numeric[i])).join('')}</tr>`).join('\n')}
</tbody>
</table></div>`;
}

function comparisonSection(model: ReportModel): string {
  const c = model.comparison;
  if (!c) return '';
  const flagged = c.rows.filter((r) => isChange(r.comparison.verdict));
  const counts = summaryLine(c);
  const rows = flagged
    .map((r) => {
      const word = verdictWord(r.comparison.verdict);
      return `<tr class="${r.comparison.verdict}"><td>${h(word)}</td><td class="num">${h(fmtRatio(r.comparison.ratio))} [${h(fmtRatio(r.comparison.ratioCi?.lo))}, ${h(fmtRatio(r.comparison.ratioCi?.hi))}]</td><td class="num">${h(fmtChange(r.comparison.change))}</td><td class="num">${r.comparison.pAdjusted === undefined ? '–' : h(fmtP(r.comparison.pAdjusted))}</td><td class="label">${h(metricName(r.metric))} ${r.better === 'higher' ? '↑' : '↓'}</td><td class="label">${h(r.label)}</td><td class="num">${h(fmtNumber(r.a.mean))}</td><td class="num">${h(fmtNumber(r.b.mean))}</td></tr>`;
    })
    .join('\n');
  const against = c.mode === 'by' ? `every ${h(c.by ?? 'backend')} against ${h(c.a.value ?? '')}` : `${h(c.b.run)} against baseline ${h(c.a.run)}`;
  return `<section id="comparison">
<h2>Comparison</h2>
<p>${against}: ${h(counts)}. See the forest plot below; every row is in the chart's tooltip.</p>
${flagged.length > 0 ? `<div class="table-wrap"><table><thead><tr><th>verdict</th><th class="num">B/A [95 % CI]</th><th class="num">change</th><th class="num">p</th><th>metric</th><th>series</th><th class="num">mean A</th><th class="num">mean B</th></tr></thead><tbody>\n${rows}\n</tbody></table></div>` : ''}
</section>`;
}
