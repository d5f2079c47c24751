import type { Overview, OverviewCell } from '../overview.ts';
import { escapeLatex, thinPercent } from './latex.ts';
import { overviewShareText } from './explained-cells.ts';
import {
  explainedColumnLegend,
  marksLegend,
  numberNotes,
  overviewColumns,
  type OverviewColumn,
  repetitionsText,
  rowsByMetric,
  shortInterval,
  shortRatio,
  verdictMark,
} from './overview-cells.ts';

/**
 * The overview as a LaTeX table for a paper (`\usepackage{siunitx,booktabs,tabularx}`):
 * rows grouped under their metric, one column per variant, each cell the ratio with its
 * verdict mark and, beneath it in script size, the 95 % interval (`\num{}` for every
 * number). A note under the table says what the numbers and marks are, then the footnotes.
 *
 * Width: up to `COLUMN_VARIANTS` variants the table is exactly `\columnwidth` wide (one
 * column of a two-column paper: 229.5 pt in `article`, about 241 pt in IEEEtran and
 * acmart); with more it becomes a `table*` across `\textwidth`. The workload labels sit in
 * a first column that wraps (`tabularx` X column) when the estimated widths of the cells
 * and of the labels' longest words leave room for it in 229.5 pt; otherwise each label
 * gets a line of its own above its cells, which then share the whole width.
 */

export const COLUMN_VARIANTS = 4;
/** The narrowest column the table is made for (`\columnwidth` of a two-column `article`), less a margin, in pt. */
const COLUMN_BUDGET_PT = 225;

export function overviewLatex(overview: Overview, caption: string): string {
  const all = overviewColumns(overview);
  const wide = all.length > COLUMN_VARIANTS;
  const float = wide ? 'table*' : 'table';
  const width = wide ? '\\textwidth' : '\\columnwidth';
  const groups = rowsByMetric(overview.rows);
  const ordered = groups.flatMap((g) => g.rows);
  const { notes, footnotes } = numberNotes(overview, ordered);
  const side =
    wide ||
    sideLabelsFit(
      overview,
      groups.flatMap((g) => g.labels),
    );
  const columns = all.length + (side ? 1 : 0);
  const sup = (numbers: readonly number[]) => (numbers.length === 0 ? '' : `\\textsuperscript{${numbers.join(',')}}`);
  const spanning = (tex: string, keep: boolean) =>
    `\\multicolumn{${columns}}{@{}>{\\raggedright\\arraybackslash}p{${width}}@{}}{${tex}} \\\\${keep ? '*' : ''}`;

  const body: string[] = [];
  let k = 0;
  groups.forEach((g, gi) => {
    if (gi > 0) body.push('\\addlinespace');
    body.push(spanning(`\\itshape ${escapeLatex(g.title)}`, true));
    g.rows.forEach((row, j) => {
      const label = `${escapeLatex(g.labels[j]!)}${sup(notes[k]!.label)}`;
      const cells = all.map(({ variant: v, explained }) => {
        const cell = row.cells[v];
        if (explained) return cell?.explained === undefined ? '--' : shareLatex(cell.explained);
        return cell === undefined ? '--' : cellLatex(cell, sup(notes[k]!.cells[v] ?? []));
      });
      // Indented under the metric line; a wrapped label hangs further in.
      if (side) body.push(`${[`\\hangindent=1em\\hspace*{0.5em}${label}`, ...cells].join(' & ')} \\\\`);
      else body.push(spanning(`\\hangindent=1em\\hspace*{0.5em}${label}`, true), `${cells.join(' & ')} \\\\`);
      k++;
    });
  });

  const spec = side ? `@{}>{\\raggedright\\arraybackslash}X*{${all.length}}{c}@{}` : `@{}*{${all.length}}{>{\\centering\\arraybackslash}X}@{}`;
  const names = all.map((c) => (c.explained ? 'explained' : c.header));
  const header = side ? ['workload', ...names] : names;
  const legend = `Ratio of each mean to ${overview.reference}'s (mean ÷ mean), its 95 % interval beneath; ${repetitionsText(overview)}. ↑ higher is better, ↓ lower is better. ${marksLegend(overview)}.${explainedColumnLegend(overview)}`;
  return [
    '% Requires \\usepackage{siunitx,booktabs,tabularx}',
    `\\begin{${float}}`,
    '\\centering',
    `\\caption{${thinPercent(escapeLatex(caption))}}`,
    '\\footnotesize',
    '\\setlength{\\tabcolsep}{2pt}',
    `\\begin{tabularx}{${width}}{${spec}}`,
    '\\toprule',
    `${header.map(escapeLatex).join(' & ')} \\\\`,
    '\\midrule',
    ...body,
    '\\bottomrule',
    '\\end{tabularx}',
    '\\par\\smallskip',
    `{\\scriptsize\\raggedright ${thinPercent(escapeLatex(legend))}\\par`,
    ...footnotes.map((text, i) => `\\textsuperscript{${i + 1}}${escapeLatex(text)}\\par`),
    '}',
    `\\end{${float}}`,
    '',
  ].join('\n');
}

/** `\num{0.12}\,$\bigtriangledown$` over `[\num{0.05},\,\num{0.26}]` in script size, stacked in a one-column tabular. */
function cellLatex(cell: OverviewCell, marks: string): string {
  if (cell.ratio === undefined || !Number.isFinite(cell.ratio)) return `--${marks}`;
  const ratio = `${num(shortRatio(cell.ratio))}\\,${escapeLatex(verdictMark(cell.verdict))}${marks}`;
  if (shortInterval(cell) === '') return ratio;
  const interval = `[${num(shortRatio(cell.lo))},\\,${num(shortRatio(cell.hi))}]`;
  return `\\begin{tabular}[t]{@{}c@{}}${ratio}\\\\{\\scriptsize ${interval}}\\end{tabular}`;
}

/** `48\,\%` over `[41, 55\,\%]` in script size: the share of the gap explained. */
function shareLatex(share: NonNullable<OverviewCell['explained']>): string {
  const [point, interval] = overviewShareText(share).split(' [');
  const top = thinPercent(escapeLatex(point!));
  if (interval === undefined) return top;
  return `\\begin{tabular}[t]{@{}c@{}}${top}\\\\{\\scriptsize ${thinPercent(escapeLatex(`[${interval}`))}}\\end{tabular}`;
}

/** A number for siunitx; text that is not a number (`–`) is escaped as text. */
function num(text: string): string {
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(text) ? `\\num{${text}}` : escapeLatex(text);
}

/**
 * Whether a first column of labels leaves room for the cells in `COLUMN_BUDGET_PT`, from
 * the widths of Computer Modern at 8 pt (labels, ratios, names) and 7 pt (intervals):
 * digits are half an em, punctuation about a quarter. An estimate, checked by the tests
 * with pdflatex on both layouts.
 */
function sideLabelsFit(overview: Overview, labels: readonly string[]): boolean {
  const text = (s: string, size: number) => [...s].reduce((w, ch) => w + (/[0-9a-z=()-]/i.test(ch) ? 0.5 : /[\s.,[\]]/.test(ch) ? 0.28 : 0.75) * size, 0);
  const columns = overviewColumns(overview).map(({ variant: v, explained }: OverviewColumn) => {
    const cells = overview.rows.map((r) => r.cells[v]).filter((c): c is OverviewCell => c !== undefined);
    if (explained) return Math.max(text('explained', 8), ...cells.map((c) => text(overviewShareText(c.explained), 7))) + 4;
    const intervals = cells.map((c) => text(shortInterval(c), 7));
    const ratios = cells.map((c) => text(`${shortRatio(c.ratio)} ▼²`, 8));
    return Math.max(text(v, 8), ...intervals, ...ratios) + 4;
  });
  // The longest word of a label must fit on a line of the first column, with the hanging indent and a footnote mark.
  const word = Math.max(...labels.flatMap((l) => l.split(/\s+/).map((w) => text(w, 8))), text('workload', 8)) + 8 + 4;
  return columns.reduce((a, b) => a + b, 0) + word <= COLUMN_BUDGET_PT;
}
