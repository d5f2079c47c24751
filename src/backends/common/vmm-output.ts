import { StringDecoder } from 'node:string_decoder';

/** Console text held for a listener that has not been attached yet. */
export const MAX_CONSOLE_BACKLOG_CHARS = 4 * 1024 * 1024;
/** VMM stderr kept for vmmLog(). */
export const MAX_VMM_LOG_CHARS = 1024 * 1024;

/**
 * The guest console: bytes decoded as UTF-8 text chunks (a character split across two
 * reads is decoded whole), handed to listeners. Text that arrives before the first
 * listener is kept (up to a limit) and given to that listener when it attaches.
 */
export class ConsoleStream {
  private readonly decoder = new StringDecoder('utf8');
  private readonly listeners: ((chunk: string) => void)[] = [];
  private backlog: string[] = [];
  private backlogChars = 0;
  droppedChars = 0;
  /** Errors thrown by listeners (a listener must not break the stream for the others). */
  readonly listenerErrors: unknown[] = [];

  push(bytes: Buffer | string): void {
    this.emit(typeof bytes === 'string' ? bytes : this.decoder.write(bytes));
  }

  /** The stream ended: flushes an incomplete trailing character (as U+FFFD). */
  end(): void {
    this.emit(this.decoder.end());
  }

  onChunk(listener: (chunk: string) => void): void {
    this.listeners.push(listener);
    if (this.listeners.length > 1) return;
    const early = this.backlog;
    this.backlog = [];
    this.backlogChars = 0;
    for (const chunk of early) this.deliver(listener, chunk);
  }

  private emit(chunk: string): void {
    if (chunk === '') return;
    if (this.listeners.length === 0) {
      if (this.backlogChars + chunk.length > MAX_CONSOLE_BACKLOG_CHARS) {
        this.droppedChars += chunk.length;
        return;
      }
      this.backlog.push(chunk);
      this.backlogChars += chunk.length;
      return;
    }
    for (const listener of this.listeners) this.deliver(listener, chunk);
  }

  private deliver(listener: (chunk: string) => void, chunk: string): void {
    try {
      listener(chunk);
    } catch (error) {
      this.listenerErrors.push(error);
    }
  }
}

/** Text kept up to a limit, with a note of how much was cut. */
export class CappedLog {
  private parts: string[] = [];
  private chars = 0;
  private cut = 0;
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly limit: number = MAX_VMM_LOG_CHARS) {}

  push(bytes: Buffer | string): void {
    this.append(typeof bytes === 'string' ? bytes : this.decoder.write(bytes));
  }

  append(text: string): void {
    const room = this.limit - this.chars;
    const kept = text.length <= room ? text : text.slice(0, Math.max(0, room));
    this.cut += text.length - kept.length;
    if (kept !== '') {
      this.parts.push(kept);
      this.chars += kept.length;
    }
  }

  text(): string {
    const all = this.parts.join('');
    return this.cut > 0 ? `${all}\n[… ${this.cut} more characters not kept]\n` : all;
  }

  /** The last lines, for error messages. */
  tail(lines = 20): string {
    return this.parts.join('').trimEnd().split('\n').slice(-lines).join('\n');
  }
}

/** Resolves when a stream has ended or closed (at once when there is none). */
export function streamDone(stream: NodeJS.ReadableStream | null | undefined, onEnd?: () => void): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      onEnd?.();
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}
