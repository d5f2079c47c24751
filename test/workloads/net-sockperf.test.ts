import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSockperf } from '../../src/workloads/net-sockperf.ts';

// Outputs of sockperf 3.7 (Debian 12) `ping-pong --full-rtt --no-rdtsc` run in the hvbench
// guest under QEMU TCG against the image's own sockperf server: UDP and TCP over virtio-net
// on a tap, UDP over slirp; then UDP and TCP to a port where nothing listens (sockperf
// exits 0 in both cases). The colour escapes are sockperf's own.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('sockperf ping-pong summary', () => {
  it('reads the round-trip mean, median and 99th percentile of a UDP run', () => {
    expect(parseSockperf(fixture('sockperf-udp-virtio.txt'))).toEqual({ avgUs: 718.33, p50Us: 566.786, p99Us: 2593.167, observations: 1249, dropped: 0 });
  });

  it('reads a TCP run and a run over slirp', () => {
    expect(parseSockperf(fixture('sockperf-tcp-virtio.txt'))).toEqual({ avgUs: 468.718, p50Us: 399.675, p99Us: 1538.138, observations: 1914, dropped: 0 });
    expect(parseSockperf(fixture('sockperf-udp-slirp.txt'))).toMatchObject({ avgUs: 387.46, p50Us: 382.013, p99Us: 788.411 });
  });

  it("reports sockperf's own words when it could not connect or got no answer", () => {
    expect(() => parseSockperf(fixture('sockperf-refused.txt'))).toThrow(
      expect.objectContaining({ code: 'net-tool-error', message: 'sockperf reported: Can`t connect socket (errno=111 Connection refused)' }),
    );
    expect(() => parseSockperf(fixture('sockperf-no-reply.txt'))).toThrow(
      expect.objectContaining({ code: 'net-tool-error', message: 'sockperf reported: no messages were received from the server' }),
    );
  });

  it('refuses one-way latency (a run without --full-rtt) instead of halving round trips silently', () => {
    const oneWay = fixture('sockperf-udp-virtio.txt').replace('avg-rtt=', 'avg-latency=').replace('Round trip is', 'Latency is');
    expect(() => parseSockperf(oneWay)).toThrow(/one-way latency.*\n?/);
  });

  it('fails loudly when a line it needs is missing', () => {
    const cut = fixture('sockperf-udp-virtio.txt').replace(/^.*percentile 99\.000.*\n/m, '');
    expect(() => parseSockperf(cut)).toThrow(/no "percentile 99.000" line/);
    expect(() => parseSockperf('')).toThrow(/no "avg-rtt=" line/);
  });
});
