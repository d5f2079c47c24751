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
    const line = this.partial.replace(/\r+$/, '').replace(/^\r+/, '');
    const truncated = this.overflowed;
    this.partial = '';
    this.overflowed = false;
    this.onLine(line, truncated);
  }
}

/** Makes a guest line safe to store and print: control characters and escapes become visible text. */
export function escapeLogLine(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
