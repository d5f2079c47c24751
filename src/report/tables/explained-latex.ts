import type { Explained } from '../explained.ts';
import { explainedHeader, explainedLegend, explainedTable } from './explained-cells.ts';
import { breakingTable, escapeLatex, thinPercent } from './latex.ts';

/** A cell's text, with a break allowed after each `_` and `/` (counter names, `events/s`) so narrow columns never overflow. */
function cellLatex(text: string): string {
  return thinPercent(escapeLatex(text)).replace(/\\_/g, '\\_\\allowbreak{}').replace(/\//g, '/\\allowbreak{}');
}

/**
 * "Where the time goes" for a paper (`\usepackage{booktabs,xltabular}`): an `xltabular`
 * exactly `\textwidth` wide that breaks across pages, a row per backend, workload
 * configuration and step; the case, the top events and the counts wrap in their columns.
 */
export function explainedLatex(explained: Explained, caption: string): string {
  const header = `${explainedHeader(explained.reference).map(escapeLatex).join(' & ')} \\\\`;
  const { rows, notes } = explainedTable(explained);
  const body = rows.map((cells) => `${cells.map(cellLatex).join(' & ')} \\\\`);
  const wrap = '>{\\raggedright\\arraybackslash}X';
  const narrow = (em: number) => `>{\\raggedright\\arraybackslash}p{${em}em}`;
  return [
    ...breakingTable(`${wrap}${narrow(5)}${narrow(5)}${narrow(5.5)}${wrap}${wrap}`, caption, header, body),
    `{\\scriptsize\\raggedright ${thinPercent(escapeLatex(explainedLegend(explained.reference)))}\\par`,
    ...notes.map((n, i) => `\\textsuperscript{${i + 1}}not modelled: ${thinPercent(escapeLatex(n))}\\par`),
    '}',
    '\\endgroup',
    '',
  ].join('\n');
}
