/**
 * Word wrap for plain-text tables: lines of at most `width` characters (code points),
 * broken at spaces; a word longer than a line is cut. Never returns an empty list.
 */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter((x) => x !== '')) {
    while ([...word].length > w) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      const chars = [...word];
      lines.push(chars.slice(0, w).join(''));
      word = chars.slice(w).join('');
    }
    if (line === '') line = word;
    else if ([...line].length + 1 + [...word].length <= w) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
