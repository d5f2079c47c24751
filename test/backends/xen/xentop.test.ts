import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXentop } from '../../../src/backends/xen/xentop.ts';

// `xentop -b -i 1 -f` captured in dom0 of the Xen lab while the quick suite's PV disk and net
// cases ran there.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'xentop', name), 'utf8');

describe("xentop's per-domain counters", () => {
  it("reads a running guest's block requests and sectors by its full name", () => {
    expect(parseXentop(fixture('pv-disk-running.txt'), 'hvb-disk-r1-ee0ed15d')).toEqual({
      vbd_read_requests: 2067,
      vbd_write_requests: 2016,
      vbd_out_of_requests: 0,
      vbd_read_sectors: 528408,
      vbd_write_sectors: 516096,
      net_from_guest_kib: 0,
      net_to_guest_kib: 0,
    });
  });

  it("reads a guest's network traffic in KiB as dom0's vif counts it (its receive is the guest's send), and dom0's line as any other", () => {
    expect(parseXentop(fixture('pv-net-running.txt'), 'hvb-net-r1-70d994d1')).toMatchObject({
      net_to_guest_kib: 160224,
      net_from_guest_kib: 108149,
      vbd_read_requests: 0,
    });
    expect(parseXentop(fixture('pv-net-running.txt'), 'Domain-0')).toMatchObject({ net_to_guest_kib: 0 });
  });

  it('matches columns from the right, so a maximum memory of "no limit" (two words) does not shift them', () => {
    const text = fixture('pv-disk-running.txt').replace(/ 525312 {6}16\.7 /, ' no limit       n/a ');
    expect(text).toContain('no limit');
    expect(parseXentop(text, 'hvb-disk-r1-ee0ed15d')).toMatchObject({ vbd_read_requests: 2067, vbd_write_sectors: 516096 });
  });

  it('refuses a paused guest whose block statistics are not there yet, another domain, and output without a header', () => {
    expect(() => parseXentop(fixture('pv-disk-paused.txt'), 'hvb-disk-r1-ee0ed15d')).toThrow(/VBD_RD of hvb-disk-r1-ee0ed15d is not a whole number: "-"/);
    expect(() => parseXentop(fixture('pv-disk-running.txt'), 'hvb-disk-r1-00000000')).toThrow(/xentop lists no domain hvb-disk-r1-00000000/);
    // Without -f, xentop cuts names to 10 characters: the full name is then never found.
    expect(() => parseXentop(fixture('pv-disk-running.txt').replace('hvb-disk-r1-ee0ed15d', 'hvb-disk-r'), 'hvb-disk-r1-ee0ed15d')).toThrow(/lists no domain/);
    expect(() => parseXentop('xentop: command not found\n', 'x')).toThrow(/no header line/);
  });
});
