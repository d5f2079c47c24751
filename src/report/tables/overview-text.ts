import { alignTable } from '../../stats/format.ts';
import type { Overview, OverviewCell } from '../overview.ts';
import * as cells from './overview-cells.ts';
import { wrapText } from './wrap.ts';
import { overviewShareText } from './explained-cells.ts';

/**
 * The overview for a terminal: an aligned plain-text table, one column per variant, the
 * rows grouped under their metric (`CPU: sysbench events per second (events/s) ↑`) and
 * labelled by workload and configuration, cells `0.12× [0.05, 0.26] ▼`. Lines above the
 * table say what the numbers are and what the marks mean; footnotes follow it.
 *
 * Width: the first column wraps so that a table of three variants stays within
 * `OVERVIEW_TEXT_WIDTH` characters; the legend, the metric lines and the footnotes wrap too.
 */

export const OVERVIEW_TEXT_WIDTH = 100;
const CASE_HEADER = 'workload';
/** The first column never gets narrower than this, even when the cells leave less room. */
const MIN_LABEL_WIDTH = 16;
const INDENT = '  ';

export function overviewText(overview: Overview): string {
  const width = OVERVIEW_TEXT_WIDTH;
  const groups = cells.rowsByMetric(overview.rows);
  const ordered = groups.flatMap((g) => g.rows);
  const { notes, footnotes } = cells.numberNotes(overview, ordered);
  const withN = cells.repetitionsVary(overview);
  const columns = cells.overviewColumns(overview);
  const headers = columns.map((c) => c.header);
  const cellsOf = ordered.map((row, i) =>
    columns.map(({ variant: v, explained }) => {
      const cell = row.cells[v];
      if (explained) return overviewShareText(cell?.explained);
      if (cell === undefined) return '–';
      const marks = (notes[i]!.cells[v] ?? []).map(cells.superscript).join(',');
      return `${cellText(cell, withN)}${marks}`;
    }),
  );
  const cellWidths = headers.map((v, c) => Math.max([...v].length, ...cellsOf.map((cells) => [...cells[c]!].length)));
  const labelWidth = Math.max(MIN_LABEL_WIDTH, width - cellWidths.reduce((sum, w) => sum + w + 2, 0) - INDENT.length);

  // Data rows, the first column wrapped; each group's metric line is put in above its first row after alignment.
  const rows: string[][] = [];
  const groupStarts = new Map<number, string>();
  let k = 0;
  for (const g of groups) {
    groupStarts.set(rows.length, g.title);
    for (const label0 of g.labels) {
      const label = `${label0}${notes[k]!.label.map(cells.superscript).join(',')}`;
      const parts = wrapText(label, labelWidth);
      rows.push([`${INDENT}${parts[0]}`, ...cellsOf[k]!]);
      for (const rest of parts.slice(1)) rows.push([`${INDENT}${INDENT}${rest}`, ...headers.map(() => '')]);
      k++;
    }
  }
  const table = alignTable([CASE_HEADER, ...headers], rows, new Set(headers)).split('\n');
  const body: string[] = table.slice(0, 2);
  table.slice(2).forEach((line, i) => {
    const metric = groupStarts.get(i);
    if (metric !== undefined) body.push(...wrapText(metric, width));
    body.push(line);
  });

  const head = [
    ...wrapText(
      `${capitalise(cells.whatTheNumbersAre(overview))}${withN ? `; n = repetitions of the variant / of ${overview.reference}` : ''}; ${cells.repetitionsText(overview)}.`,
      width,
    ),
    ...wrapText(`↑ higher is better, ↓ lower is better. ${cells.marksLegend(overview)}.${cells.explainedColumnLegend(overview)}`, width),
  ];
  const foot = footnotes.flatMap((text, i) =>
    wrapText(`${cells.superscript(i + 1)} ${text}`, width - INDENT.length).map((l, j) => (j === 0 ? l : `${INDENT}${l}`)),
  );
  return `${[...head, '', ...body, ...(foot.length > 0 ? ['', ...foot] : [])].join('\n')}\n`;
}

function cellText(cell: OverviewCell, withN: boolean): string {
  const n = withN ? ` n=${cell.n}/${cell.nReference}` : '';
  if (cell.ratio === undefined || !Number.isFinite(cell.ratio)) return `– ${cells.verdictText(cell.verdict)}${n}`;
  const ci = cells.shortInterval(cell);
  return `${cells.shortRatio(cell.ratio)}×${ci ? ` ${ci}` : ''} ${cells.verdictMark(cell.verdict)}${n}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
