import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIperf3 } from '../../src/workloads/net-iperf3.ts';

// Reports of iperf3 3.12 (Debian 12) run in the hvbench guest under QEMU TCG against the
// image's own iperf3 as the peer: virtio-net and e1000 on a tap, virtio-net over slirp, and
// a connection to a port where nothing listens.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('iperf3 JSON report', () => {
  it('reads the receiver-side throughput of a guest → host run', () => {
    expect(parseIperf3(fixture('iperf3-tx-virtio.json'), { reverse: false })).toEqual({
      bitsPerSecond: 1441360500.815837,
      bytes: 363724800,
      seconds: 2.018786,
      reverse: false,
    });
    expect(parseIperf3(fixture('iperf3-tx-e1000.json'), { reverse: false }).bitsPerSecond).toBeCloseTo(494637283.2, 0);
  });

  it('reads a host → guest run (-R), where the guest is the receiver', () => {
    expect(parseIperf3(fixture('iperf3-rx-virtio.json'), { reverse: true })).toEqual({
      bitsPerSecond: 1795629211.0584493,
      bytes: 449327480,
      seconds: 2.001872,
      reverse: true,
    });
    expect(parseIperf3(fixture('iperf3-rx-slirp.json'), { reverse: true }).bitsPerSecond).toBeCloseTo(460494631.3, 0);
  });

  it("turns iperf3's error field into the message (it exits 0 when it cannot connect)", () => {
    expect(() => parseIperf3(fixture('iperf3-refused.json'), { reverse: false })).toThrow(
      expect.objectContaining({ code: 'net-tool-error', message: 'iperf3 reported: unable to connect to server: Connection refused' }),
    );
  });

  it('refuses a report of the other direction than the step asked for', () => {
    expect(() => parseIperf3(fixture('iperf3-tx-virtio.json'), { reverse: true })).toThrow(/reverse is 0, expected 1/);
  });

  it('takes the JSON object even when a warning precedes it', () => {
    const out = `warning: something the peer said\n${fixture('iperf3-rx-virtio.json')}`;
    expect(parseIperf3(out, { reverse: true }).bytes).toBe(449327480);
  });

  it('fails loudly on output that is not a report, or a report without totals', () => {
    expect(() => parseIperf3('iperf3: error - unable to connect to server\n', { reverse: false })).toThrow(/no JSON report/);
    expect(() => parseIperf3('{"start": {', { reverse: false })).toThrow(/no JSON report|does not parse/);
    const cut = JSON.parse(fixture('iperf3-tx-virtio.json')) as { end: Record<string, unknown> };
    delete cut.end['sum_received'];
    expect(() => parseIperf3(JSON.stringify(cut), { reverse: false })).toThrow(/end.sum_received has no bits_per_second/);
    const empty = JSON.parse(fixture('iperf3-tx-virtio.json')) as { end: { sum_received: { bytes: number } } };
    empty.end.sum_received.bytes = 0;
    expect(() => parseIperf3(JSON.stringify(empty), { reverse: false })).toThrow(/moved no data/);
  });
});
