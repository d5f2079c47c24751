import { describe, expect, it } from 'vitest';
import type { Host } from '../../../src/hosts/host.ts';
import { parseProcStat, parseVmHwm, readProcessUsage } from '../../../src/backends/common/proc-usage.ts';

// A real /proc/<pid>/stat of QEMU, with a command name that contains ") (" to be awkward.
const STAT =
  '4242 (qemu) (x86_64) S 1 4242 4242 0 -1 4194560 21843 0 0 0 828 49 0 0 20 0 5 0 123456 1234567168 50940 18446744073709551615 1 1 0 0 0 0 0 4096 17635 0 0 0 17 1 0 0 0 0 0\n';
const STATUS = 'Name:\tqemu-system-x86\nVmPeak:\t 1300000 kB\nVmHWM:\t  203784 kB\nVmRSS:\t  203000 kB\nThreads:\t5\n';

describe('/proc parsing', () => {
  it('reads utime and stime in seconds (CLK_TCK 100)', () => {
    expect(parseProcStat(STAT)).toEqual({ cpuUserS: 8.28, cpuSystemS: 0.49 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('reads the peak RSS', () => {
    expect(parseVmHwm(STATUS)).toBe(203784);
    // A zombie has no memory lines.
    expect(parseVmHwm('Name:\tqemu\nState:\tZ (zombie)\n')).toBeUndefined();
  });

  it('reads through the host, and gives undefined when the process is gone', async () => {
    const files: Record<string, string> = { '/proc/4242/stat': STAT, '/proc/4242/status': STATUS };
    const host = {
      readFile: async (path: string) => {
        const text = files[path];
        if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
        return text;
      },
    } as unknown as Host;
    expect(await readProcessUsage(host, 4242)).toEqual({ pid: 4242, cpuUserS: 8.28, cpuSystemS: 0.49, peakRssKiB: 203784 });
    expect(await readProcessUsage(host, 1)).toBeUndefined();
  });
});
