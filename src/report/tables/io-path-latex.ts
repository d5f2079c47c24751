import type { IoPath, IoPathRow } from '../io-path.ts';
import { ioPathGroups, ioPathLegend, ioPathMark } from './io-path-cells.ts';
import { breakingTable, escapeLatex, spanningLine, thinPercent } from './latex.ts';
import { shortInterval, shortRatio } from './overview-cells.ts';

/**
 * The I/O path table for a paper's appendix (`\usepackage{siunitx,booktabs,xltabular}`): an
 * `xltabular` exactly `\textwidth` wide that breaks across pages, as the summary table does,
 * because it grows with every knob and metric (8 disk metrics × 3 knob changes is already
 * longer than a column). A line per knob change (`aio io_uring vs threads`), a row per metric
 * under it, a column per variant; each cell the ratio with its verdict mark, beneath it the 95 %
 * interval and, where the reference ran, its ratio to the base path, in script size. Made for
 * one-column pages (after `\onecolumn` in a two-column paper); the metric column wraps, so up
 * to four variants fit a standard article's 345 pt.
 */
export function ioPathLatex(ioPath: IoPath, caption: string): string {
  const columns = ioPath.variants.length + 1;
  const spanning = (tex: string) => spanningLine(columns, tex);
  const header = `${['metric', ...ioPath.variants].map(escapeLatex).join(' & ')} \\\\`;
  const body: string[] = [];
  ioPathGroups(ioPath).forEach((g, i) => {
    if (i > 0) body.push('\\addlinespace');
    body.push(spanning(`\\itshape ${escapeLatex(g.change)}`));
    for (const row of g.rows) {
      const cells = ioPath.variants.map((v) => (row.cells[v] === undefined ? '--' : cellLatex(ioPath, row.cells[v]!)));
      body.push(`${[`\\hangindent=1em\\hspace*{0.5em}${escapeLatex(row.metric)}`, ...cells].join(' & ')} \\\\`);
    }
  });
  return [
    ...breakingTable(`>{\\raggedright\\arraybackslash}X*{${ioPath.variants.length}}{c}`, caption, header, body),
    // Under the table, not in its last foot: a long paragraph in a spanning cell there overfills the longtable's rows.
    `{\\scriptsize\\raggedright ${thinPercent(escapeLatex(ioPathLegend(ioPath)))}\\par`,
    ...ioPath.unpaired.map((u) => `${escapeLatex(u)}\\par`),
    '}',
    '\\endgroup',
    '',
  ].join('\n');
}

/** `\num{1.05}\,?` over `[\num{0.98},\,\num{1.12}]` and `native \num{9.6}` in script size, stacked in a one-column tabular. */
function cellLatex(ioPath: IoPath, r: IoPathRow): string {
  if (r.ratio === undefined || !Number.isFinite(r.ratio)) return '--';
  const lines = [`${num(shortRatio(r.ratio))}\\,${escapeLatex(ioPathMark(r.verdict))}`];
  if (shortInterval(r) !== '') lines.push(`{\\scriptsize [${num(shortRatio(r.lo))},\\,${num(shortRatio(r.hi))}]}`);
  if (r.reference !== undefined && ioPath.reference !== undefined)
    lines.push(`{\\scriptsize ${escapeLatex(ioPath.reference)} ${num(shortRatio(r.reference.ratio))}${escapeLatex('×')}}`);
  return `\\begin{tabular}[t]{@{}c@{}}${lines.join('\\\\')}\\end{tabular}`;
}

/** A number for siunitx; text that is not a number (`–`) is escaped as text. */
function num(text: string): string {
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text) ? `\\num{${text}}` : escapeLatex(text);
}
