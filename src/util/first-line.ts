/** The first line of a program's output, trimmed ('' when it said nothing): what an error message quotes. */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
