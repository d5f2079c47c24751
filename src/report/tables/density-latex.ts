import { fmtNumber } from '../../stats/format.ts';
import type { Density, DensityPoint } from '../density.ts';
import { DENSITY_LEGEND, densityGroups, PENALTY_LEGEND, penaltyRows, penaltyText } from './density-cells.ts';
import { breakingTable, escapeLatex, spanningLine, thinPercent } from './latex.ts';

/**
 * The density table for a paper (`\usepackage{siunitx,booktabs,xltabular}`), as the scaling
 * table is: an `xltabular` exactly `\textwidth` wide that breaks across pages, a line per
 * metric, a row per guest count under it, a column per variant; each cell the mean, beneath
 * it the 95 % interval in script size.
 */
export function densityLatex(density: Density, caption: string): string {
  const columns = density.variants.length + 1;
  const header = `${['guests', ...density.variants].map(escapeLatex).join(' & ')} \\\\`;
  const body: string[] = [];
  densityGroups(density).forEach((g, i) => {
    if (i > 0) body.push('\\addlinespace');
    body.push(spanningLine(columns, `\\itshape ${escapeLatex(g.metric)}`));
    for (const row of g.rows) {
      const cells = density.variants.map((v) => (row.cells[v] === undefined ? '--' : cellLatex(row.cells[v]!)));
      body.push(`${[`\\hspace*{0.5em}${escapeLatex(row.label)}`, ...cells].join(' & ')} \\\\`);
    }
  });
  for (const row of penaltyRows(density)) {
    body.push('\\addlinespace', spanningLine(columns, `\\itshape ${escapeLatex(row.metric)}`));
    const cells = density.variants.map((v) => (row.cells[v] === undefined ? '--' : escapeLatex(penaltyText(row.cells[v]!))));
    body.push(`${[`\\hspace*{0.5em}${escapeLatex(row.label)}`, ...cells].join(' & ')} \\\\`);
  }
  const legend = density.penalties.length > 0 ? `${DENSITY_LEGEND} ${PENALTY_LEGEND}` : DENSITY_LEGEND;
  return [
    ...breakingTable(`>{\\raggedright\\arraybackslash}X*{${density.variants.length}}{c}`, caption, header, body),
    `{\\scriptsize\\raggedright ${thinPercent(escapeLatex(legend))}\\par`,
    '}',
    '\\endgroup',
    '',
  ].join('\n');
}

function cellLatex(p: DensityPoint): string {
  const lines = [num(fmtNumber(p.mean))];
  if (p.lo !== undefined && p.hi !== undefined) lines.push(`{\\scriptsize [${num(fmtNumber(p.lo))},\\,${num(fmtNumber(p.hi))}]}`);
  return `\\begin{tabular}[t]{@{}c@{}}${lines.join('\\\\')}\\end{tabular}`;
}

/** A number for siunitx; text that is not a number is escaped as text. */
function num(text: string): string {
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text) ? `\\num{${text}}` : escapeLatex(text);
}
