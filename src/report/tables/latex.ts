import type { SummaryTable } from './cells.ts';

/**
 * The summary table for a paper's appendix or a one-column report: an `xltabular` (a
 * longtable that breaks across pages, with a tabularx `X` column) exactly `\textwidth`
 * wide, \footnotesize, booktabs rules, the header repeated on every page. Each metric
 * (readable name, unit, ↑/↓) and, under it, each configuration gets a line of its own that
 * wraps within the text width; the rows under it are one per variant (with its device):
 * n, mean, 95 % CI, CV and the ratio to the reference, every number set with siunitx's
 * `\num`. Nothing can push it past the text width but a number wider than its column.
 * It fits a standard article's 345 pt text width; a two-column paper sets it after
 * `\onecolumn` (a longtable cannot sit in a two-column page) — the overview table is the
 * one made for a column.
 */
export function latexTable(table: SummaryTable, caption: string): string {
  const kept = table.header.map((_, c) => c).filter((c) => c >= table.foldedColumns);
  const columns = kept.length + 1;
  const spec = `>{\\raggedright\\arraybackslash}X${kept.map((c) => (table.numeric[c] ? 'r' : 'l')).join('')}`;
  const cells = (first: string, row: readonly string[], numbers: boolean) =>
    [first, ...kept.map((c) => (numbers && table.numeric[c] ? numericCell(row[c]!) : thinPercent(escapeLatex(row[c]!))))].join(' & ');
  const header = `${cells(table.header[table.foldedColumns - 1] ?? '', table.header, false)} \\\\`;
  const spanning = (tex: string) => spanningLine(columns, tex);
  const body: string[] = [];
  table.rows.forEach((row, i) => {
    const section = table.sections[i]!;
    const newSection = i === 0 || section !== table.sections[i - 1];
    if (newSection) {
      if (i > 0) body.push('\\addlinespace');
      body.push(spanning(`\\itshape ${escapeLatex(section)}`));
    }
    if (newSection || table.configurations[i] !== table.configurations[i - 1]) body.push(spanning(`\\hspace*{0.5em}${escapeLatex(table.configurations[i]!)}`));
    body.push(`${cells(`\\hspace*{1em}${escapeLatex(table.variants[i]!)}`, row, true)} \\\\`);
  });
  return [...breakingTable(spec, caption, header, body), '\\endgroup', ''].join('\n');
}

/** Every number of a cell in `\num{}` (`[\num{800}, \num{825}]`), the rest escaped. */
export function numericCell(text: string): string {
  return text
    .split(/(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/)
    .map((part, i) => (i % 2 === 1 ? `\\num{${part}}` : escapeLatex(part)))
    .join('');
}

/** `95 \%` → `95\,\%`: a number and its per cent sign never part at a line break. */
export function thinPercent(tex: string): string {
  return tex.replace(/(\d) \\%/g, '$1\\,\\%');
}

const REPLACEMENTS: Readonly<Record<string, string>> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  '↑': '$\\uparrow$',
  '↓': '$\\downarrow$',
  '÷': '$\\div$',
  '–': '--',
  '−': '$-$',
  '·': '$\\cdot$',
  '×': '$\\times$',
  '≈': '$\\approx$',
  '±': '$\\pm$',
  '≤': '$\\leq$',
  '≥': '$\\geq$',
  '→': '$\\rightarrow$',
  '∞': '$\\infty$',
  '—': '---',
  '…': '\\dots{}',
  '▲': '$\\bigtriangleup$',
  '▼': '$\\bigtriangledown$',
  // The micro sign and the Greek letter mu both print as an upright µ (µs, not us or ?s).
  µ: '\\textmu{}',
  μ: '\\textmu{}',
  '°': '\\textdegree{}',
  '⁰': '\\textsuperscript{0}',
  '¹': '\\textsuperscript{1}',
  '²': '\\textsuperscript{2}',
  '³': '\\textsuperscript{3}',
  '⁴': '\\textsuperscript{4}',
  '⁵': '\\textsuperscript{5}',
  '⁶': '\\textsuperscript{6}',
  '⁷': '\\textsuperscript{7}',
  '⁸': '\\textsuperscript{8}',
  '⁹': '\\textsuperscript{9}',
};

/**
 * Escapes every character that means something to LaTeX; the signs the tables use (↑ ↓ ÷ × ≈ ▲ ▼,
 * µ, superscript digits) become LaTeX commands that need no package beyond the kernel; other
 * non-ASCII characters become `?`, so pdfLaTeX never chokes.
 */
export function escapeLatex(text: string): string {
  let out = '';
  for (const ch of text.replace(/\r?\n/g, ' ')) {
    const r = REPLACEMENTS[ch];
    if (r !== undefined) out += r;
    else if (ch.charCodeAt(0) < 0x20) out += ' ';
    else if (ch.charCodeAt(0) > 0x7e) out += '?';
    else out += ch;
  }
  return out;
}

/** A line across a table of `columns` columns, wrapping within it; `\\*` keeps it on the page of the row below it. */
export function spanningLine(columns: number, tex: string): string {
  return `\\multicolumn{${columns}}{@{}>{\\raggedright\\arraybackslash}p{\\textwidth}@{}}{${tex}} \\\\*`;
}

/**
 * An `xltabular` exactly `\textwidth` wide that breaks across pages, \footnotesize, booktabs
 * rules, its header repeated on every page; the lines from its requirements comment to its
 * end (the group it opens is closed by the caller, after anything set under the table).
 */
export function breakingTable(columnSpec: string, caption: string, header: string, body: readonly string[]): string[] {
  return [
    '% Requires \\usepackage{siunitx,booktabs,xltabular}; one-column pages only (\\onecolumn in a two-column paper)',
    '\\begingroup',
    '\\footnotesize',
    '\\setlength{\\tabcolsep}{4pt}',
    `\\begin{xltabular}{\\textwidth}{@{}${columnSpec}@{}}`,
    `\\caption{${thinPercent(escapeLatex(caption))}} \\\\`,
    '\\toprule',
    header,
    '\\midrule',
    '\\endfirsthead',
    '\\toprule',
    header,
    '\\midrule',
    '\\endhead',
    '\\bottomrule',
    '\\endfoot',
    ...body,
    '\\end{xltabular}',
  ];
}
