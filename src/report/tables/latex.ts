import type { SummaryTable } from './cells.ts';

/**
 * A booktabs table (`\usepackage{booktabs}`), ready to paste into a paper: a tabular with
 * \toprule/\midrule/\bottomrule, every cell escaped for LaTeX, the ↑/↓ and ÷ signs as math.
 */
export function latexTable(table: SummaryTable, caption: string): string {
  const spec = table.numeric.map((n) => (n ? 'r' : 'l')).join('');
  const line = (cells: readonly string[]) => `${cells.map(escapeLatex).join(' & ')} \\\\`;
  return [
    '% Requires \\usepackage{booktabs}',
    '\\begin{table}',
    '\\centering',
    `\\caption{${escapeLatex(caption)}}`,
    '\\small',
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    line(table.header),
    '\\midrule',
    ...table.rows.map(line),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
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
};

/** Escapes every character that means something to LaTeX; other non-ASCII characters become `?`, so pdfLaTeX never chokes. */
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
