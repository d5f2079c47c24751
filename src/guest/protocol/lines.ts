import { StringDecoder } from 'node:string_decoder';

/** Longest console line kept whole; longer lines are cut and flagged, never buffered without bound. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a console byte/text stream into lines. Handles CRLF, lone CR from serial
 * consoles, lines split across chunks, and oversized lines.
 */
export class LineSplitter {
  private partial = '';
  private overflowed = false;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly onLine: (line: string, truncated: boolean) => void) {}

  push(chunk: string | Buffer): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\n') {
        this.append(text.slice(start, i));
        this.emit();
        start = i + 1;
      }
    }
    this.append(text.slice(start));
  }

  /** Emits what is left (a last line without a newline). */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.append(rest);
    if (this.partial.length > 0 || this.overflowed) this.emit();
  }

  private append(text: string): void {
    if (this.overflowed) return;
    const room = MAX_LINE_CHARS - this.partial.length;
    if (text.length > room) {
      this.partial += text.slice(0, room);
      this.overflowed = true;
    } else {
      this.partial += text;
    }
  }

  private emit(): void {
    // CRs at either end are the serial console's (CRLF, CR CR LF); trimmed with a loop, as a
    // regex such as /\r+$/ takes quadratic time on a long run of CRs inside a line.
    let start = 0;
    let end = this.partial.length;
    while (end > 0 && this.partial.charCodeAt(end - 1) === 13) end--;
    while (start < end && this.partial.charCodeAt(start) === 13) start++;
    const line = this.partial.slice(start, end);
    const truncated = this.overflowed;
    this.partial = '';
    this.overflowed = false;
    this.onLine(line, truncated);
  }
}

/**
 * Characters a guest line may not carry raw into a log or onto a terminal: C0 controls but
 * tab, DEL and C1 controls (ESC starts terminal escapes), the Unicode line and paragraph
 * separators and the bidirectional controls (they make a line read other than it is), and
 * lone surrogates (not encodable as UTF-8: they would be lost when the log is written).
 */
const UNSAFE =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Makes a guest line safe to store and print: control characters and escapes become visible text (`\x1b`, `\u202e`). */
export function escapeLogLine(line: string): string {
  return line.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
