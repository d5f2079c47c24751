import { describe, expect, it } from 'vitest';
import { CappedLog, ConsoleStream } from '../../../src/backends/common/vmm-output.ts';

describe('ConsoleStream', () => {
  it('decodes UTF-8 split across chunks', () => {
    const stream = new ConsoleStream();
    const chunks: string[] = [];
    stream.onChunk((chunk) => chunks.push(chunk));
    const bytes = Buffer.from('HVB ✓ ready\n', 'utf8');
    const cut = bytes.indexOf(0xe2) + 1; // inside the 3-byte check mark
    stream.push(bytes.subarray(0, cut));
    stream.push(bytes.subarray(cut));
    stream.end();
    expect(chunks.join('')).toBe('HVB ✓ ready\n');
    expect(chunks.some((chunk) => chunk.includes('\ufffd'))).toBe(false);
  });

  it('keeps text that arrived before the first listener for it; later listeners get new text', () => {
    const stream = new ConsoleStream();
    stream.push(Buffer.from('early '));
    const first: string[] = [];
    const second: string[] = [];
    stream.onChunk((chunk) => first.push(chunk));
    stream.onChunk((chunk) => second.push(chunk));
    stream.push(Buffer.from('late'));
    expect(first.join('')).toBe('early late');
    expect(second.join('')).toBe('late');
  });

  it('keeps going when a listener throws', () => {
    const stream = new ConsoleStream();
    const seen: string[] = [];
    stream.onChunk(() => {
      throw new Error('boom');
    });
    stream.onChunk((chunk) => seen.push(chunk));
    stream.push(Buffer.from('a'));
    stream.push(Buffer.from('b'));
    expect(seen).toEqual(['a', 'b']);
    expect(stream.listenerErrors).toHaveLength(2);
  });
});

describe('CappedLog', () => {
  it('keeps text up to its limit and says how much it cut', () => {
    const log = new CappedLog(10);
    log.push(Buffer.from('0123456'));
    log.push(Buffer.from('789abc'));
    expect(log.text()).toBe('0123456789\n[… 3 more characters not kept]\n');
    expect(new CappedLog().text()).toBe('');
  });

  it('gives the last lines', () => {
    const log = new CappedLog();
    log.append('a\nb\nc\n');
    expect(log.tail(2)).toBe('b\nc');
  });
});
