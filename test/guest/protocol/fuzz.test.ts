import { describe, expect, it } from 'vitest';
import { parseLine, type Frame } from '../../../src/guest/protocol/frames.ts';
import { MAX_LINE_CHARS } from '../../../src/guest/protocol/lines.ts';
import { GuestSession, MAX_LOG_CHARS, MAX_REJECTED } from '../../../src/guest/protocol/session.ts';
import { deriveSeed } from '../../../src/stats/prng.ts';
import { garbage, lineEnding, long, nonceFor, oversized, Random, UNSAFE_IN_LOG, untrusted, validFrame, type Line } from './fuzz-lines.ts';

/**
 * Untrusted guest output, generated: random and adversarial console lines (no nonce, a
 * near-miss nonce, broken frames, oversized lines, NUL, ANSI escapes, CR/LF mixtures, lone
 * surrogates) interleaved with valid frames, fed in random chunks as text or bytes. Only the
 * valid frames may come out as frames; every other line is kept in the log, escaped and with
 * the nonce masked. Set HVBENCH_FUZZ_SEED to explore other seeds; failures print the seed.
 */
const SEED = Number(process.env.HVBENCH_FUZZ_SEED ?? 20_261_127);
const STREAMS = 25;
const LINES_PER_STREAM = 520;

interface Outcome {
  frames: Frame[];
  session: GuestSession;
}

/** Feeds `text` to a new GuestSession in chunks cut at `cuts` (offsets into the text, or into its UTF-8 bytes). */
function feed(nonce: string, text: string, cuts: number[], bytes: boolean): Outcome {
  const session = new GuestSession(nonce, () => 0);
  const frames: Frame[] = [];
  session.onFrame((f) => frames.push(f));
  const data = bytes ? Buffer.from(text, 'utf8') : text;
  let at = 0;
  for (const cut of [...cuts, data.length]) {
    if (cut <= at) continue;
    session.feed(bytes ? (data as Buffer).subarray(at, cut) : (data as string).slice(at, cut));
    at = cut;
  }
  session.close();
  return { frames, session };
}

/** What is unsafe about a log line (or a rejected-line note), or undefined. */
function unsafe(line: string, nonce: string): string | undefined {
  const bad = UNSAFE_IN_LOG.exec(line);
  if (bad) return `raw U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${bad.index}`;
  if (line.includes(nonce)) return 'the nonce unmasked';
  return undefined;
}

/** A line whose log form is the line itself: printable, no nonce, no CR to trim, within the limit. */
function plain(line: Line, nonce: string): boolean {
  return line.text.length < MAX_LINE_CHARS - 2 && !UNSAFE_IN_LOG.test(line.text) && !line.text.includes(nonce) && !line.text.includes('\r');
}

function show(text: string): string {
  const s = JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);
  return s;
}

describe(`untrusted guest output (seed ${SEED})`, () => {
  it(`finds only the valid frames among ${STREAMS * LINES_PER_STREAM} lines and keeps the rest escaped`, () => {
    const failures: string[] = [];
    let untrustedLines = 0;
    for (let s = 0; s < STREAMS; s++) {
      const seed = deriveSeed(SEED, s);
      const r = new Random(seed);
      const nonce = nonceFor(r);
      const where = `stream ${s} (seed ${seed}, run seed ${SEED}, nonce ${nonce})`;
      const lines: Line[] = [];
      for (let i = 0; i < LINES_PER_STREAM; i++) {
        const p = r.float();
        lines.push(p < 0.2 ? validFrame(r, nonce) : p < 0.996 ? untrusted(r, nonce) : p < 0.998 ? oversized(r, nonce) : long(r));
      }
      const lastEnding = r.chance(0.8);
      // The last line ends without a stray CR after it, which would make one more (empty) line.
      const text = lines.map((l, i) => l.text + (i < lines.length - 1 ? lineEnding(r) : lastEnding ? '\r\n' : '')).join('');
      const bytes = r.chance(0.5);
      const size = bytes ? Buffer.byteLength(text) : text.length;
      const cuts: number[] = [];
      for (let at = 0; at < size; ) cuts.push((at += r.pick([1, 2, 3, 7, 64, 511, 4096, 65_537, r.int(1, 20_000)])));
      const { frames, session } = feed(nonce, text, cuts, bytes);

      // Each line alone: parseLine trusts none of the untrusted ones.
      for (const l of lines) {
        if (!l.frame && l.text.length <= MAX_LINE_CHARS && parseLine(l.text, nonce).trusted)
          failures.push(`${where}: parseLine trusted ${l.kind} ${show(l.text)}`);
      }
      // The stream: exactly the valid frames, in order.
      const expected = lines.flatMap((l) => (l.frame ? [l.frame] : []));
      if (JSON.stringify(frames) !== JSON.stringify(expected)) {
        const i = frames.findIndex((f, k) => JSON.stringify(f) !== JSON.stringify(expected[k]));
        failures.push(
          `${where} (${bytes ? 'bytes' : 'text'}): ${frames.length} frames, expected ${expected.length}; first difference at ${i}: ${JSON.stringify(frames[i])?.slice(0, 200)} vs ${JSON.stringify(expected[i])?.slice(0, 200)}`,
        );
      }
      // The log: one line per untrusted line, in order, none unsafe; plain lines as they were.
      const kept = lines.filter((l) => !l.frame);
      untrustedLines += kept.length;
      if (session.log.length !== kept.length)
        failures.push(`${where}: ${session.log.length} log lines for ${kept.length} untrusted lines (${session.droppedLogLines} dropped)`);
      session.log.forEach((logLine, i) => {
        const problem = unsafe(logLine, nonce);
        if (problem) failures.push(`${where}: log line ${i} (${kept[i]?.kind}) has ${problem}: ${show(logLine)}`);
        else if (kept[i] && plain(kept[i], nonce) && logLine !== kept[i].text)
          failures.push(`${where}: log line ${i} ${show(logLine)} is not the line ${show(kept[i].text)}`);
      });
      for (const note of session.rejected) {
        const problem = unsafe(note, nonce);
        if (problem) failures.push(`${where}: a rejected-line note has ${problem}: ${show(note)}`);
      }
      for (const message of session.errors) {
        const problem = unsafe(message, nonce);
        if (problem) failures.push(`${where}: a guest error has ${problem}: ${show(message)}`);
      }
    }
    expect(failures.length > 30 ? [...failures.slice(0, 30), `… ${failures.length - 30} more`] : failures, `seed ${SEED}`).toEqual([]);
    expect(untrustedLines).toBeGreaterThanOrEqual(10_000);
  });

  it('gives the same result however a transcript is cut in two, inside UTF-8 characters and surrogate pairs too', () => {
    const r = new Random(deriveSeed(SEED, 1000));
    const nonce = nonceFor(r);
    const lines: Line[] = [];
    for (let i = 0; i < 40; i++) lines.push(r.chance(0.3) ? validFrame(r, nonce) : untrusted(r, nonce));
    lines.push({ text: `é✓😀 ${garbage(r, 40, true)} 😀`, kind: 'multi-byte' });
    const text = lines.map((l) => l.text + lineEnding(r)).join('');
    for (const bytes of [false, true]) {
      const whole = feed(nonce, text, [], bytes);
      // Lone surrogates do not survive UTF-8: compare bytes with bytes, text with text.
      if (!bytes) expect(whole.frames).toEqual(lines.flatMap((l) => (l.frame ? [l.frame] : [])));
      const size = bytes ? Buffer.byteLength(text) : text.length;
      for (let cut = 1; cut < size; cut++) {
        const split = feed(nonce, text, [cut], bytes);
        if (JSON.stringify(split.frames) !== JSON.stringify(whole.frames) || JSON.stringify(split.session.log) !== JSON.stringify(whole.session.log)) {
          expect.fail(`seed ${SEED}: cut at ${bytes ? 'byte' : 'character'} ${cut} of ${size} changes the result`);
        }
      }
    }
  });

  it('cuts oversized lines at the limit, wherever the chunks end, and finds the frame after them', () => {
    const nonce = '1b23456789abcdef0123456789abcdef';
    const done = `HVB ${nonce} done`;
    for (const fill of ['x', 'é', '✓', '😀']) {
      const line = `HVB ${nonce} error a${' '.repeat(8)}${fill.repeat(MAX_LINE_CHARS / fill.length)}`;
      const text = `${line}\r\n${done}\r\n`;
      const limitByte = Buffer.byteLength(text.slice(0, MAX_LINE_CHARS));
      const endByte = Buffer.byteLength(line);
      for (const bytes of [true, false]) {
        for (const around of bytes ? [limitByte, endByte] : [MAX_LINE_CHARS, line.length]) {
          for (let at = around - 12; at <= around + 12; at++) {
            const { frames, session } = feed(nonce, text, [at], bytes);
            const where = `fill ${JSON.stringify(fill)}, cut at ${bytes ? 'byte' : 'character'} ${at}`;
            expect(frames, where).toEqual([{ kind: 'done' }]);
            expect(session.log.length, where).toBe(1);
            expect(session.log[0]!.length, where).toBeLessThanOrEqual(MAX_LINE_CHARS * 6);
            expect(unsafe(session.log[0]!, nonce), where).toBeUndefined();
          }
        }
      }
    }
  });

  it('keeps lines of exactly the limit whole, and flags one character more', () => {
    const nonce = '0123456789abcdef';
    const frameAt = (n: number) => `HVB ${nonce} error ${'e'.repeat(n - `HVB ${nonce} error `.length)}`;
    const at = feed(nonce, `${frameAt(MAX_LINE_CHARS)}\n`, [], false);
    expect(at.frames).toEqual([{ kind: 'error', message: 'e'.repeat(MAX_LINE_CHARS - `HVB ${nonce} error `.length).slice(0, 2000) }]);
    const over = feed(nonce, `${frameAt(MAX_LINE_CHARS + 1)}\n`, [], false);
    expect(over.frames).toEqual([]);
    expect(over.session.rejected).toEqual([expect.stringMatching(/^line too long: HVB <nonce> error e+$/)]);
  });

  it('escapes the messages of guest errors', () => {
    const nonce = '01a3456789abcdef';
    const { frames } = feed(nonce, `HVB ${nonce} error bad \u001b[2J\u0000 thing \u202e\n`, [], false);
    expect(frames).toEqual([{ kind: 'error', message: 'bad \\x1b[2J\\x00 thing \\u202e' }]);
  });

  it('masks a nonce that an escape would complete, in the log and in rejected-line notes', () => {
    const nonce = '01a3456789abcdef';
    const { session } = feed(nonce, `\u0001a3456789abcdef\nHVB ${nonce} done \u001b\nHVB ${nonce} \u0085 x\n`, [], false);
    expect(session.log).toEqual(['\\x<nonce>', 'HVB <nonce> done \\x1b', 'HVB <nonce> \\x85 x']);
    expect(session.rejected).toEqual(['done takes no arguments: HVB <nonce> done \\x1b', 'unknown frame kind "\\x85": HVB <nonce> \\x85 x']);
  });

  it('bounds the memory the log and the notes take, however much a guest floods', () => {
    const nonce = '0123456789abcdef';
    const session = new GuestSession(nonce);
    const flood = `${'\u0000'.repeat(MAX_LINE_CHARS - 1)}\n`; // four characters each once escaped
    for (let i = 0; i < MAX_LOG_CHARS / (4 * MAX_LINE_CHARS) + 10; i++) session.feed(flood);
    for (let i = 0; i < MAX_REJECTED + 10; i++) session.feed(`HVB ${nonce} flood ${i}\n`);
    session.close();
    expect(session.log.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(MAX_LOG_CHARS);
    expect(session.droppedLogLines).toBeGreaterThanOrEqual(10);
    expect(session.rejected.length).toBe(MAX_REJECTED);
  });

  it('takes apart a line of carriage returns in linear time', () => {
    const nonce = '0123456789abcdef';
    const started = performance.now();
    const { session } = feed(nonce, `${'\r'.repeat(MAX_LINE_CHARS - 1)}x\n`.repeat(4), [], false);
    expect(session.log).toEqual(['x', 'x', 'x', 'x']);
    expect(performance.now() - started).toBeLessThan(2000); // a regex backtracking over the CRs took over 10 s a line
  });
});
