import type { Scaling, ScalingPoint } from '../scaling.ts';
import { fmtNumber } from '../../stats/format.ts';
import { breakingTable, escapeLatex, spanningLine, thinPercent } from './latex.ts';
import { shortInterval, shortRatio } from './overview-cells.ts';
import { scalingGroups, scalingLegend } from './scaling-cells.ts';

/**
 * The scaling table for a paper (`\usepackage{siunitx,booktabs,xltabular}`): an `xltabular`
 * exactly `\textwidth` wide that breaks across pages, as the I/O path table does. A line per
 * metric, a row per vCPU count under it, a column per variant; each cell the mean, beneath it
 * the 95 % interval and the ratio to the reference with its interval, in script size.
 */
export function scalingLatex(scaling: Scaling, caption: string): string {
  const columns = scaling.variants.length + 1;
  const header = `${['guest', ...scaling.variants].map(escapeLatex).join(' & ')} \\\\`;
  const body: string[] = [];
  scalingGroups(scaling).forEach((g, i) => {
    if (i > 0) body.push('\\addlinespace');
    body.push(spanningLine(columns, `\\itshape ${escapeLatex(g.metric)}`));
    for (const row of g.rows) {
      const cells = scaling.variants.map((v) => (row.cells[v] === undefined ? '--' : cellLatex(scaling, v, row.cells[v]!)));
      body.push(`${[`\\hspace*{0.5em}${escapeLatex(row.label)}`, ...cells].join(' & ')} \\\\`);
    }
  });
  return [
    ...breakingTable(`>{\\raggedright\\arraybackslash}X*{${scaling.variants.length}}{c}`, caption, header, body),
    `{\\scriptsize\\raggedright ${thinPercent(escapeLatex(scalingLegend(scaling)))}\\par`,
    '}',
    '\\endgroup',
    '',
  ].join('\n');
}

/** `\num{1843}` over `[\num{1790},\,\num{1896}]` and `\num{0.12}× [\num{0.11},\,\num{0.13}]` in script size. */
function cellLatex(scaling: Scaling, variant: string, p: ScalingPoint): string {
  const lines = [num(fmtNumber(p.mean))];
  if (p.lo !== undefined && p.hi !== undefined) lines.push(`{\\scriptsize [${num(fmtNumber(p.lo))},\\,${num(fmtNumber(p.hi))}]}`);
  if (variant !== scaling.reference && p.ratio !== undefined && Number.isFinite(p.ratio.value)) {
    const ci = shortInterval(p.ratio) === '' ? '' : ` [${num(shortRatio(p.ratio.lo))},\\,${num(shortRatio(p.ratio.hi))}]`;
    lines.push(`{\\scriptsize ${num(shortRatio(p.ratio.value))}${escapeLatex('×')}${ci}}`);
  }
  return `\\begin{tabular}[t]{@{}c@{}}${lines.join('\\\\')}\\end{tabular}`;
}

/** A number for siunitx; text that is not a number is escaped as text. */
function num(text: string): string {
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text) ? `\\num{${text}}` : escapeLatex(text);
}
