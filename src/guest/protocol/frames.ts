import { escapeLogLine } from './lines.ts';

/**
 * Console framing. The agent writes one frame per line:
 *
 *     HVB <nonce> ready uptime=<seconds> kernel=<release> [clock=<ns>] [alive=<seconds>]
 *     HVB <nonce> alive                      every <seconds> after ready, when the job asked for it
 *     HVB <nonce> begin <step> [minflt=<n> majflt=<n> [nvcsw=<n> nivcsw=<n>]]   the step's command starts now
 *     HVB <nonce> ran <step> [minflt=<n> majflt=<n> [nvcsw=<n> nivcsw=<n>]]     the step's command returned (its output follows)
 *     HVB <nonce> out <step> <base64 chunk of the step's output>
 *     HVB <nonce> end <step> exit=<code> ms=<elapsed> bytes=<output length> sha256=<of the output>
 *     HVB <nonce> fact <key>=<value> …      what the guest found, e.g. disk=vda disk_drivers=virtio_blk,virtio-pci
 *     HVB <nonce> error <message>
 *     HVB <nonce> done [clock=<ns>]
 *
 * `clock=` is the guest's CLOCK_MONOTONIC in nanoseconds when it wrote the frame: with the
 * host's clock at the frames' arrival it tells how far the guest's clock ran from the host's.
 * `alive=` in `ready` promises an `alive` frame every that many seconds until `done` (the
 * job's `alive` line asked for it; natively the agent never sends them): a guest that falls
 * silent much longer has hung, which a long step never looks like. `begin` and `ran` bracket
 * the step's command alone, without the output's trip over the console: the window in which
 * the host counts the VM's events for that step (src/runner/event-windows.ts). A native agent,
 * itself a host process, adds its own page faults and its waited-for children's instead, and
 * the voluntary and involuntary context switches of the steps it ran so far.
 *
 * Only a line that starts with the run's nonce and validates is trusted. Every other line —
 * the kernel's messages, a tool's stray output, a frame with the wrong nonce — is guest log.
 */
export type Frame =
  | { kind: 'ready'; uptimeS: number; kernel: string; clockNs?: number; aliveEveryS?: number }
  | { kind: 'alive' }
  | { kind: 'begin' | 'ran'; step: string; faults?: { minor: number; major: number }; switches?: { voluntary: number; involuntary: number } }
  | { kind: 'out'; step: string; base64: string }
  | { kind: 'end'; step: string; exitCode: number; elapsedMs: number; bytes: number; sha256: string }
  | { kind: 'fact'; facts: Record<string, string> }
  | { kind: 'error'; message: string }
  | { kind: 'done'; clockNs?: number };

export type ParsedLine = { trusted: true; frame: Frame } | { trusted: false; reason?: string };

export const FRAME_TAG = 'HVB';
const STEP = /^[a-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const KERNEL = /^[A-Za-z0-9._+-]{1,64}$/;
const FACT_KEY = /^[a-z][a-z0-9_]{0,31}$/;
const FACT_VALUE = /^[A-Za-z0-9_.,:/+-]{0,128}$/;
/** Facts whose value may be longer: the kernel command line, base64url (x86 allows 2048 bytes of it: 2731 characters). */
const LONG_FACT_VALUE: ReadonlyMap<string, RegExp> = new Map([['cmdline', /^[A-Za-z0-9_-]{0,2732}$/]]);
/** A guest clock reading in ns: CLOCK_MONOTONIC, at most 15 digits (11 days) to stay exact as a number. */
const CLOCK_NS = /^\d{1,15}$/;
const MAX_FACTS = 16;

function keyValues(words: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) map.set(w.slice(0, eq), w.slice(eq + 1));
  }
  return map;
}

function nonNegativeInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

function parseBody(kind: string, rest: string): Frame | string {
  const words = rest.length > 0 ? rest.split(' ') : [];
  switch (kind) {
    case 'ready': {
      const kv = keyValues(words);
      const uptime = kv.get('uptime');
      const kernel = kv.get('kernel') ?? '';
      if (uptime === undefined || !/^\d{1,9}(\.\d{1,9})?$/.test(uptime)) return 'ready without a valid uptime=';
      if (!KERNEL.test(kernel)) return 'ready without a valid kernel=';
      const clock = kv.get('clock');
      if (clock !== undefined && !CLOCK_NS.test(clock)) return 'ready with an invalid clock=';
      const alive = kv.get('alive');
      if (alive !== undefined && !/^[1-9]\d{0,3}$/.test(alive)) return 'ready with an invalid alive=';
      return {
        kind: 'ready',
        uptimeS: Number(uptime),
        kernel,
        ...(clock === undefined ? {} : { clockNs: Number(clock) }),
        ...(alive === undefined ? {} : { aliveEveryS: Number(alive) }),
      };
    }
    case 'alive': {
      return words.length === 0 ? { kind: 'alive' } : 'alive takes no arguments';
    }
    case 'begin':
    case 'ran': {
      const [step, ...more] = words;
      if (step === undefined || !STEP.test(step)) return `${kind} needs a step id`;
      if (more.length === 0) return { kind, step };
      const kv = keyValues(more);
      const minor = nonNegativeInt(kv.get('minflt'));
      const major = nonNegativeInt(kv.get('majflt'));
      const voluntary = nonNegativeInt(kv.get('nvcsw'));
      const involuntary = nonNegativeInt(kv.get('nivcsw'));
      const withSwitches = more.length === 4 && voluntary !== undefined && involuntary !== undefined;
      if ((more.length !== 2 && !withSwitches) || minor === undefined || major === undefined) {
        return `${kind} takes a step id, then minflt= and majflt= (and nvcsw= and nivcsw=) or nothing`;
      }
      return { kind, step, faults: { minor, major }, ...(withSwitches ? { switches: { voluntary, involuntary } } : {}) };
    }
    case 'out': {
      const [step, data, extra] = words;
      if (step === undefined || !STEP.test(step) || data === undefined || extra !== undefined || !BASE64.test(data)) {
        return 'out needs a step id and one base64 word';
      }
      return { kind: 'out', step, base64: data };
    }
    case 'end': {
      const [step, ...more] = words;
      const kv = keyValues(more);
      const exitCode = nonNegativeInt(kv.get('exit'));
      const elapsedMs = nonNegativeInt(kv.get('ms'));
      const bytes = nonNegativeInt(kv.get('bytes'));
      const sha256 = kv.get('sha256');
      if (
        step === undefined ||
        !STEP.test(step) ||
        exitCode === undefined ||
        elapsedMs === undefined ||
        bytes === undefined ||
        sha256 === undefined ||
        !SHA256.test(sha256)
      ) {
        return 'end needs a step id, exit=, ms=, bytes= and sha256=';
      }
      return { kind: 'end', step, exitCode, elapsedMs, bytes, sha256 };
    }
    case 'fact':
      return parseFacts(words);
    case 'error':
      // Shown on the terminal and kept in run.json: no control character gets through raw.
      return { kind: 'error', message: escapeLogLine(rest.slice(0, 2000)) };
    case 'done': {
      if (words.length === 0) return { kind: 'done' };
      // The one word it may carry is the guest's clock.
      if (words.length > 1 || !words[0]!.startsWith('clock=')) return 'done takes no arguments';
      const clock = words[0]!.slice('clock='.length);
      return CLOCK_NS.test(clock) ? { kind: 'done', clockNs: Number(clock) } : 'done with an invalid clock=';
    }
    default:
      return `unknown frame kind ${JSON.stringify(kind.slice(0, 32))}`;
  }
}

function parseFacts(words: string[]): Frame | string {
  if (words.length === 0 || words.length > MAX_FACTS) return `fact needs 1 to ${MAX_FACTS} key=value words`;
  const facts: Record<string, string> = {};
  for (const w of words) {
    const eq = w.indexOf('=');
    const key = eq > 0 ? w.slice(0, eq) : '';
    const value = w.slice(eq + 1);
    if (!FACT_KEY.test(key) || !(LONG_FACT_VALUE.get(key) ?? FACT_VALUE).test(value)) return 'fact words must be key=value with a short plain key and value';
    facts[key] = value;
  }
  return { kind: 'fact', facts };
}

/** Classifies one console line (without its line ending). */
export function parseLine(line: string, nonce: string): ParsedLine {
  const prefix = `${FRAME_TAG} ${nonce} `;
  if (!line.startsWith(prefix)) {
    return line.startsWith(`${FRAME_TAG} `) ? { trusted: false, reason: "frame without this run's nonce" } : { trusted: false };
  }
  const body = line.slice(prefix.length);
  const space = body.indexOf(' ');
  const kind = space < 0 ? body : body.slice(0, space);
  const rest = space < 0 ? '' : body.slice(space + 1);
  const parsed = parseBody(kind, rest);
  return typeof parsed === 'string' ? { trusted: false, reason: parsed } : { trusted: true, frame: parsed };
}
