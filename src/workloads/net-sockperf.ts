import { HvbError } from '../util/errors.ts';

/** Round-trip times of one `sockperf ping-pong --full-rtt` run, in microseconds. */
export interface SockperfResult {
  avgUs: number;
  p50Us: number;
  p99Us: number;
  /** Round trips in the measured window (sockperf leaves out its warm-up and the end). */
  observations: number;
  dropped: number;
}

/** Terminal colour sequences sockperf 3.x prints around some lines, even into a pipe. */
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Reads the summary sockperf 3.x prints after a ping-pong run, e.g.
 *
 *     sockperf: ====> avg-rtt=718.330 (std-dev=595.787)
 *     sockperf: # dropped messages = 0; # duplicated messages = 0; # out-of-order messages = 0
 *     sockperf: Total 1249 observations; each percentile contains 12.49 observations
 *     sockperf: ---> percentile 99.000 = 2593.167
 *     sockperf: ---> percentile 50.000 =  566.786
 *
 * sockperf exits 0 when it could not connect or got no answer; those outputs are recognised
 * and reported with sockperf's own words. Without `--full-rtt` sockperf reports half the
 * round trip (`avg-latency=`), which is refused rather than silently halved.
 */
export function parseSockperf(output: string): SockperfResult {
  const text = output.replace(ANSI, '');
  const error = /^sockperf: ERROR: (.*)$/m.exec(text)?.[1];
  if (error !== undefined) throw toolError(error.trim());
  if (/^sockperf: No messages were received from the server/m.test(text)) {
    throw toolError('no messages were received from the server');
  }
  if (/avg-latency=/.test(text)) {
    throw new HvbError('parse', 'sockperf reported one-way latency (avg-latency=), not round trips', {
      hint: 'run sockperf ping-pong with --full-rtt',
    });
  }
  return {
    avgUs: field(text, /^sockperf: =+> avg-rtt=([0-9.]+) /m, 'avg-rtt='),
    p50Us: field(text, /^sockperf: -+> percentile 50\.000 = +([0-9.]+)$/m, 'percentile 50.000'),
    p99Us: field(text, /^sockperf: -+> percentile 99\.000 = +([0-9.]+)$/m, 'percentile 99.000'),
    observations: field(text, /^sockperf: Total ([0-9]+) observations/m, 'Total … observations'),
    dropped: field(text, /^sockperf: # dropped messages = ([0-9]+);/m, '# dropped messages'),
  };
}

function field(text: string, pattern: RegExp, label: string): number {
  const value = pattern.exec(text)?.[1];
  const number = value === undefined ? Number.NaN : Number(value);
  if (!Number.isFinite(number)) {
    throw new HvbError('parse', `sockperf output has no "${label}" line`, {
      hint: `the step output is kept in the repetition log; first lines: ${JSON.stringify(text.slice(0, 200))}`,
    });
  }
  return number;
}

function toolError(what: string): HvbError {
  return new HvbError('net-tool-error', `sockperf reported: ${what}`, {
    hint: 'the peer sockperf server did not answer the guest; its output is in the repetition log',
  });
}
