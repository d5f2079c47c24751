import { HvbError } from '../util/errors.ts';

/** What one `iperf3 -c … -J` run measured, from the receiving side. */
export interface Iperf3Result {
  /** Receiver-side throughput (`end.sum_received.bits_per_second`). */
  bitsPerSecond: number;
  bytes: number;
  seconds: number;
  /** True for a `-R` run: the peer sent, the guest received. */
  reverse: boolean;
}

/**
 * Reads the JSON report of an iperf3 3.x TCP client (`-J`). iperf3 exits 0 even when it
 * could not connect and says so in the report's `error` field, so that field is checked
 * first and its text becomes the error message. The receiver-side total is used in both
 * directions: what arrived, not what was handed to the sender's socket.
 */
export function parseIperf3(output: string, expect: { reverse: boolean }): Iperf3Result {
  const report = readReport(output);
  if (typeof report.error === 'string') {
    throw new HvbError('net-tool-error', `iperf3 reported: ${report.error}`, {
      hint: 'the peer iperf3 server did not serve the guest; its output is in the repetition log',
    });
  }
  const start = asObject(report.start)?.test_start;
  const reverse = asObject(start)?.reverse;
  const protocol = asObject(start)?.protocol;
  if (protocol !== 'TCP') throw shape(`start.test_start.protocol is ${JSON.stringify(protocol)}, expected "TCP"`);
  if (reverse !== (expect.reverse ? 1 : 0)) {
    throw shape(`start.test_start.reverse is ${JSON.stringify(reverse)}, expected ${expect.reverse ? 1 : 0}: the step ran the wrong direction`);
  }
  const received = asObject(asObject(report.end)?.sum_received);
  const bitsPerSecond = received?.bits_per_second;
  const bytes = received?.bytes;
  const seconds = received?.seconds;
  if (typeof bitsPerSecond !== 'number' || typeof bytes !== 'number' || typeof seconds !== 'number') {
    throw shape('end.sum_received has no bits_per_second, bytes and seconds');
  }
  if (!(bytes > 0 && seconds > 0 && bitsPerSecond > 0)) {
    throw new HvbError('net-tool-error', `iperf3 moved no data (${bytes} bytes in ${seconds} s)`, {
      hint: 'the connection was made but nothing arrived; look at the peer log in the repetition log',
    });
  }
  return { bitsPerSecond, bytes, seconds, reverse: expect.reverse };
}

type Json = Record<string, unknown>;

function readReport(output: string): Json {
  // Anything iperf3 wrote on stderr (warnings) shares the step's output: take the JSON object.
  const first = output.indexOf('{');
  const last = output.lastIndexOf('}');
  if (first < 0 || last < first) throw shape(`no JSON report in the output: ${JSON.stringify(output.slice(0, 200))}`);
  try {
    const parsed: unknown = JSON.parse(output.slice(first, last + 1));
    const object = asObject(parsed);
    if (object) return object;
  } catch (error) {
    throw shape(`the JSON report does not parse (${error instanceof Error ? error.message : String(error)})`);
  }
  throw shape('the JSON report is not an object');
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function shape(message: string): HvbError {
  return new HvbError('parse', `iperf3 output: ${message}`, { hint: 'the step output is kept in the repetition log' });
}
