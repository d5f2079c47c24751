import { MAX_LINE_CHARS } from '../../../src/guest/protocol/lines.ts';
import type { Frame } from '../../../src/guest/protocol/frames.ts';
import { Random } from '../../suite/fuzz/random.ts';

/**
 * Console lines for fuzzing the host side of the guest protocol: frames the host must trust,
 * and lines it must not (garbage, forged or near-miss nonces, broken frames, oversized lines).
 * Lines carry no line feed; the stream builder adds the line endings.
 */

/** Characters that make log text dangerous or ambiguous: controls, ESC, NUL, bidi, separators, lone surrogates. */
export const UNSAFE_IN_LOG =
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const HEX = '0123456789abcdef';
const NASTY = [
  '\u0000',
  '\u0007',
  '\b',
  '\t',
  '\u000b',
  '\f',
  '\r',
  '\u001b',
  '\u001b[2J',
  '\u001b]0;title\u0007',
  '\u001b[31m',
  '\u009b',
  '\u0085',
  '\u007f',
  '\u202e',
  '\u2028',
  '\u2066',
  '\ufeff',
  '\ud800',
  '\udc00',
  '😀',
  'é',
  '✓',
  '\u00a0',
  'µ',
  '\\x1b',
  '"',
  '{',
  '}',
  ' ',
  '=',
];

/** A nonce as the runner makes them (32 hex digits), or one built to collide with escapes (`\x01…`). */
export function nonceFor(r: Random): string {
  const tail = r.string(30, HEX);
  return r.pick([r.string(32, HEX), `00${tail}`, `1b${tail}`, `7f${tail}`, `9b${tail}`, `08${tail}`]);
}

export interface Line {
  text: string;
  /** The frame the host must take from this line; undefined for a line it must keep as log. */
  frame?: Frame;
  /** What made it, for failure reports. */
  kind: string;
}

// --- lines the host must trust ------------------------------------------------------

export function validFrame(r: Random, nonce: string): Line {
  const p = `HVB ${nonce} `;
  const step = r.pick(['cpu', 'fio-seq', 'net_rr', 'a', 'x'.repeat(32)]);
  switch (r.int(0, 5)) {
    case 0: {
      const data = Buffer.from(r.string(r.int(0, 60), 'ab✓\u0000\n')).toString('base64');
      return { text: `${p}out ${step} ${data}`, frame: { kind: 'out', step, base64: data }, kind: 'valid out' };
    }
    case 1: {
      const [exitCode, elapsedMs, bytes] = [r.int(0, 255), r.int(0, 1e9), r.int(0, 1e9)];
      const sha256 = r.string(64, '0123456789abcdef');
      return {
        text: `${p}end ${step} exit=${exitCode} ms=${elapsedMs} bytes=${bytes} sha256=${sha256}`,
        frame: { kind: 'end', step, exitCode, elapsedMs, bytes, sha256 },
        kind: 'valid end',
      };
    }
    case 2: {
      const facts: Record<string, string> = {};
      for (let i = r.int(1, 16); i > 0; i--)
        facts[r.pick(['disk', 'disk_drivers', 'nic', 'k', 'constructor', 'a'.repeat(32)])] = r.pick(['vda', 'virtio_blk,virtio-pci', '', 'x'.repeat(128)]);
      const text = `${p}fact ${Object.entries(facts)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`;
      return { text, frame: { kind: 'fact', facts }, kind: 'valid fact' };
    }
    case 3:
      return { text: `${p}ready uptime=2.31 kernel=6.1.0-44-amd64`, frame: { kind: 'ready', uptimeS: 2.31, kernel: '6.1.0-44-amd64' }, kind: 'valid ready' };
    case 4: {
      // An error takes any text; control characters in it reach the host escaped.
      const message = `step ${step} exited with status 1${r.chance(0.3) ? `${garbage(r, r.int(1, 40), true)}.` : ''}`;
      return { text: `${p}error ${message}`, frame: { kind: 'error', message: escapedForLog(message) }, kind: 'valid error' };
    }
    default:
      return { text: `${p}done`, frame: { kind: 'done' }, kind: 'valid done' };
  }
}

// --- lines the host must not trust ---------------------------------------------------

/** Text with anything in it but a line feed; `wellFormed`: no lone surrogates (they do not survive UTF-8). */
export function garbage(r: Random, length: number, wellFormed = false): string {
  const nasty = wellFormed ? NASTY.filter((c) => !/^[\ud800-\udfff]$/.test(c)) : NASTY;
  let s = '';
  while (s.length < length) s += r.chance(0.3) ? r.pick(nasty) : String.fromCharCode(r.int(0x20, 0x7e));
  return s.replace(/\n/g, '');
}

/** The log's escaping as the protocol documents it, written out independently for the checks. */
export function escapedForLog(text: string): string {
  return text.replace(new RegExp(UNSAFE_IN_LOG.source, 'g'), (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The nonce one step off: a digit changed, upper case, cut short, too long, with an extra or odd character. */
export function nearMiss(r: Random, nonce: string): string {
  const i = r.int(0, nonce.length - 1);
  const other = HEX.replace(nonce[i]!, '');
  const miss = r.pick([
    nonce.slice(0, i) + r.pick([...other]) + nonce.slice(i + 1),
    nonce.toUpperCase(),
    nonce.slice(0, i) + nonce[i]!.toUpperCase() + nonce.slice(i + 1),
    nonce.slice(0, -1),
    nonce.slice(1),
    `${nonce}${r.pick([...HEX])}`,
    `${r.pick([...HEX])}${nonce}`,
    nonce.slice(0, i) + r.pick(['\u0000', '\u200b', ' ', '\u001b', 'ａ', 'x']) + nonce.slice(i),
    nonce.slice(0, i) + r.pick(['\u0000', '\u200b', '\u001b']) + nonce.slice(i + 1),
    '',
  ]);
  return miss === nonce ? `${nonce}0` : miss; // upper case of an all-digit stretch changes nothing
}

/** A body that is not a valid frame of its kind (an `error` takes any text, so it is never one). */
export function badBody(r: Random): string {
  return r.pick([
    // No frame kind, though it reads like one: a metric the guest would report itself.
    'sample {"metric":"cpu.x","value":1,"unit":"x"}',
    'sample',
    'ready',
    'ready uptime=abc kernel=k',
    'ready uptime=1.5',
    'ready kernel=k',
    'ready uptime=1e3 kernel=k',
    'ready uptime=-1 kernel=k',
    'ready uptime=1234567890 kernel=k',
    'ready uptime=1 kernel=k\u001b[2J',
    `ready uptime=1 kernel=${'k'.repeat(65)}`,
    'out',
    'out cpu',
    'out cpu AAAA extra',
    'out cpu AA!A',
    'out cpu AAAA===',
    'out CPU AAAA',
    `out ${'x'.repeat(33)} AAAA`,
    'out ../etc AAAA',
    'out cpu\u0000 AAAA',
    'end',
    'end cpu',
    'end cpu exit=0 ms=1',
    'end cpu exit=0 ms=1 bytes=1',
    `end cpu exit=0 ms=1 bytes=1 sha256=${'0'.repeat(63)}`,
    `end cpu exit=0 ms=1 bytes=1 sha256=${'g'.repeat(64)}`,
    `end cpu exit=-1 ms=1 bytes=1 sha256=${'0'.repeat(64)}`,
    `end cpu exit=1.5 ms=1 bytes=1 sha256=${'0'.repeat(64)}`,
    `end cpu exit=0 ms=1 bytes=1234567890123456 sha256=${'0'.repeat(64)}`,
    `end cpu exit=0x1 ms=1 bytes=1 sha256=${'0'.repeat(64)}`,
    `end Cpu exit=0 ms=1 bytes=1 sha256=${'0'.repeat(64)}`,
    `end exit=0 ms=1 bytes=1 sha256=${'0'.repeat(64)}`,
    'fact',
    'fact disk',
    'fact =vda',
    'fact Disk=vda',
    'fact disk=v da',
    'fact disk=\u001b[2J',
    `fact disk=${'v'.repeat(129)}`,
    `fact ${Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(' ')}`,
    'fact __proto__=x',
    'fact disk=vda ',
    'done now',
    'done\u0000',
    'done\rdone',
    'Done',
    'DONE',
    'ready\u0000 uptime=1 kernel=k',
    ' done',
    '',
    `${r.pick(['sampel', 'smaple', 'samples', 'outt', 'facts', 'err', 'errors', 'ok', 'end_', 'constructor', '__proto__'])} x`,
  ]);
}

/** A line the host must keep as log and never trust. */
export function untrusted(r: Random, nonce: string): Line {
  switch (r.int(0, 9)) {
    case 0:
      return { text: garbage(r, r.int(0, 200)), kind: 'garbage' };
    case 1: {
      // A correct frame of another run, or of none.
      const body = validFrame(r, nonce).text.slice(`HVB ${nonce} `.length);
      return { text: `HVB ${r.pick([r.string(32, HEX), 'deadbeefdeadbeef', ''])} ${body}`, kind: 'other nonce' };
    }
    case 2: {
      const body = validFrame(r, nonce).text.slice(`HVB ${nonce} `.length);
      return { text: `HVB ${nearMiss(r, nonce)} ${body}`, kind: 'near-miss nonce' };
    }
    case 3: {
      // The tag or the separators a little off.
      const body = validFrame(r, nonce).text.slice(`HVB ${nonce} `.length);
      const head = r.pick([
        `hvb ${nonce} `,
        `HVB  ${nonce} `,
        `HVB\t${nonce} `,
        `HVB ${nonce}\t`,
        ` HVB ${nonce} `,
        `xHVB ${nonce} `,
        `\u001b[0mHVB ${nonce} `,
        `\u0000HVB ${nonce} `,
        `HVB${nonce} `,
        `HVB ${nonce}`,
        `H\u0000VB ${nonce} `,
        `\ufeffHVB ${nonce} `,
        `HVB-${nonce} `,
      ]);
      return { text: head + body, kind: 'near-miss tag' };
    }
    case 4:
      return { text: `HVB ${nonce} ${badBody(r)}`, kind: 'invalid body' };
    case 5: {
      // Garbage that spells the nonce once escaped: "\x01" followed by the rest of it.
      const code = parseInt(nonce.slice(0, 2), 16);
      const lead = code < 0x20 || (code >= 0x7f && code <= 0x9f) ? String.fromCharCode(code) + nonce.slice(2) : nonce;
      return { text: `${garbage(r, r.int(0, 10))}${lead}${garbage(r, r.int(0, 10))}`, kind: 'nonce by escape' };
    }
    case 6: {
      // The nonce inside a line that is not a frame.
      return { text: `x${garbage(r, r.int(0, 20))}HVB ${nonce} ${validFrame(r, nonce).text.slice(`HVB ${nonce} `.length)}`, kind: 'frame mid-line' };
    }
    case 7: {
      // A frame with a control or escape character inside (an error takes any text: not one of these).
      const text = notError(r, nonce);
      if (text.endsWith(' done')) return { text: `${text} ${r.pick(NASTY)}x`, kind: 'frame with extra' };
      const at = r.int(`HVB ${nonce} `.length, text.length);
      return {
        text: text.slice(0, at) + r.pick(['\u0000', '\u001b[2J', '\u0007', '\u009b', '\u202e', '\u000b', '\u00a0', '\u2028', '\ud800']) + text.slice(at),
        kind: 'frame with a control character',
      };
    }
    case 8: {
      // Carriage returns inside a frame (at the ends they are the console's and are trimmed).
      const text = notError(r, nonce);
      const at = r.int(`HVB ${nonce}`.length, text.length - 1);
      return { text: `${text.slice(0, at)}\r${text.slice(at)}`, kind: 'CR inside a frame' };
    }
    default:
      return {
        text:
          garbage(r, r.int(0, 20)) + r.pick(['\u001b[2J\u001b[H', '\u0000'.repeat(r.int(1, 50)), `${'\r'.repeat(r.int(1, 50))}x`, '\ud83d', '\ude00\ud83d']),
        kind: 'control run',
      };
  }
}

/** A valid frame other than an error (which takes any text). */
function notError(r: Random, nonce: string): string {
  for (;;) {
    const line = validFrame(r, nonce);
    if (line.frame?.kind !== 'error') return line.text;
  }
}

/** A line longer than the splitter keeps: refused even when it starts like a valid frame. */
export function oversized(r: Random, nonce: string): Line {
  const extra = r.int(1, 3000);
  const fill = (n: number, s: string) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
  const frame = validFrame(r, nonce).text;
  const text = r.pick([
    () => `HVB ${nonce} out cpu ${fill(MAX_LINE_CHARS + extra, 'QUFB')}`,
    () => `HVB ${nonce} error ${fill(MAX_LINE_CHARS + extra, 'x')}`,
    () => `${frame}${fill(MAX_LINE_CHARS, r.pick(['é', '✓', '😀', ' ', '\u0000', '\u001b[2J']))}`,
    () => fill(MAX_LINE_CHARS + extra, r.pick(['\r', '\u0000', 'x', '😀'])) + frame,
  ])();
  return { text, kind: 'oversized' };
}

/** A line just short of the limit: kept whole, and cheap to take apart (a run of CRs once took quadratic time). */
export function long(r: Random): Line {
  const body = r.pick(['\r', '\u0000', '\u001b[2J', 'é', ' ']);
  const text = `${body.repeat(Math.floor((MAX_LINE_CHARS - 1) / body.length))}x`;
  return { text, kind: `long line of ${JSON.stringify(body)}` };
}

/** How a line ends on a serial console: LF, CRLF, CR CR LF (a CRLF through the tty's onlcr), or stray CRs before the next line. */
export function lineEnding(r: Random): string {
  return r.pick(['\n', '\r\n', '\r\r\n', '\n\r', '\r\n\r']);
}

export { Random };
