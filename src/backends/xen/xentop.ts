import { HvbError } from '../../util/errors.ts';

/**
 * `xentop -b -i 1 -f` in dom0: one line per domain (the full name with `-f`), after a header.
 * Counted here are the domain's paravirtual I/O counters, cumulative since its back ends
 * connected: blkback's requests and sectors (VBD_RD, VBD_WR, VBD_RSECT, VBD_WSECT), the times
 * a request had to wait for a free slot in blkback (VBD_OO, "out of requests"), and the
 * traffic of the guest's vifs in KiB as dom0 sees them (NETRX: what the guest sent, NETTX:
 * what it received; seen in the lab: a guest's iperf3 upload raised NETRX by 104 MB, NETTX
 * by 47 KiB). Xen's own exits are not among them (docs/overhead.md).
 *
 *           NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID
 *     hvb-disk-… -----r         20    0.0     524288   16.7     525312      16.7     1    0        0        0    1        0     1091     1184     278552     303104    0
 */

/** xentop's column → the counter it becomes (`events.<step>.<counter>_per_s`). */
export const XENTOP_COUNTERS: Readonly<Record<string, string>> = {
  VBD_RD: 'vbd_read_requests',
  VBD_WR: 'vbd_write_requests',
  VBD_OO: 'vbd_out_of_requests',
  VBD_RSECT: 'vbd_read_sectors',
  VBD_WSECT: 'vbd_write_sectors',
  // The vif's counters as dom0 sees them: what it received is what the guest sent.
  'NETRX(k)': 'net_from_guest_kib',
  'NETTX(k)': 'net_to_guest_kib',
};

/**
 * The counters of `domain` in xentop's batch output. Columns are matched from the right
 * (MAXMEM(k) may read `no limit`, two words), each counter must be a whole number. Throws
 * when the header or the domain's line is missing.
 */
export function parseXentop(text: string, domain: string): Record<string, number> {
  const lines = text.split('\n').map((l) => l.trim());
  const headerAt = lines.findIndex((l) => /^NAME\s+STATE\s/.test(l));
  if (headerAt < 0) throw new HvbError('xentop-output', `xentop printed no header line (NAME STATE …): ${JSON.stringify(text.slice(0, 200))}`);
  const header = lines[headerAt]!.split(/\s+/);
  const row = lines.slice(headerAt + 1).find((l) => l.split(/\s+/)[0] === domain);
  if (row === undefined) throw new HvbError('xentop-output', `xentop lists no domain ${domain}`);
  const words = row.split(/\s+/);
  const counts: Record<string, number> = {};
  for (const [column, counter] of Object.entries(XENTOP_COUNTERS)) {
    const i = header.indexOf(column);
    if (i < 0) throw new HvbError('xentop-output', `xentop's header has no column ${column}`);
    const word = words[words.length - (header.length - i)];
    if (word === undefined || !/^\d+$/.test(word))
      throw new HvbError('xentop-output', `xentop's ${column} of ${domain} is not a whole number: ${JSON.stringify(word)}`);
    counts[counter] = Number(word);
  }
  return counts;
}
