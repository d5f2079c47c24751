import { StringDecoder } from 'node:string_decoder';

/** Splits the byte stream into JSON messages, one per line (QEMU ends each with CRLF). */
export class MessageLines {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private handler: ((message: Record<string, unknown>) => void) | undefined;
  /** Messages that arrived while no handler was set. */
  private queue: Record<string, unknown>[] = [];

  setHandler(handler: ((message: Record<string, unknown>) => void) | undefined): void {
    this.handler = handler;
    while (this.handler !== undefined && this.queue.length > 0) this.handler(this.queue.shift()!);
  }

  push(chunk: Buffer): void {
    const lines = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const text = line.trim();
      if (text === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        continue; // Not QMP; QEMU never sends this. Ignore it rather than drop the connection.
      }
      if (parsed === null || typeof parsed !== 'object') continue;
      const message = parsed as Record<string, unknown>;
      if (this.handler === undefined) this.queue.push(message);
      else this.handler(message);
    }
  }
}
