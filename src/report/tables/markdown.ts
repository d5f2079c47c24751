import type { SummaryTable } from './cells.ts';

/** A GitHub-flavoured Markdown table; `|`, `\` and line breaks in cells are escaped, `<` and `>` too (Markdown renders HTML). */
export function markdownTable(table: SummaryTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
  const rule = `|${table.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return `${[line(table.header), rule, ...table.rows.map(line)].join('\n')}\n`;
}

export function escapeMarkdown(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[*`]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
}
