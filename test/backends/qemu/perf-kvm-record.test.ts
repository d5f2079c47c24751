import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PerfKvmRecorder } from '../../../src/backends/qemu/perf-kvm-record.ts';
import { parsePerfKvmReport, perfKvmCounts } from '../../../src/backends/qemu/perf-kvm-stat.ts';
import type { ExecResult, Host, HostProcess, ProcessExit } from '../../../src/hosts/host.ts';
import { unusedHostMethods } from '../../support/unused-host-methods.ts';

// The recorder's bookkeeping of segments against a scripted perf: what it says on stderr and
// when is up to each test; the reports are perf 6.1's own, captured in the KVM lab.

const captured = (name: string) => readFileSync(new URL(`./fixtures/perf-kvm-stat/${name}.txt`, import.meta.url), 'utf8');
/** Each segment file's report: vmexit and mmio tables as captured. */
const REPORTS: Record<string, { vmexit: string; mmio: string }> = {
  'seg.1': { vmexit: 'boot-vmexit', mmio: 'boot-mmio' },
  'seg.2': { vmexit: 'ide-fio-vmexit', mmio: 'ide-fio-mmio' },
  'seg.3': { vmexit: 'boot-vmexit', mmio: 'ide-fio-mmio' },
};
const countsOf = (file: string) => perfKvmCounts(parsePerfKvmReport(captured(REPORTS[file]!.vmexit)), parsePerfKvmReport(captured(REPORTS[file]!.mmio)));
const sum = (...files: string[]) => {
  const total: Record<string, number> = {};
  for (const f of files) for (const [k, v] of Object.entries(countsOf(f))) total[k] = (total[k] ?? 0) + v;
  return total;
};

/** A host whose perf writes a segment's Dump line when `onSignal` says so (the n-th SIGUSR2, from 1). */
function scriptedPerf(onSignal: (n: number, dump: (file: string, afterMs?: number) => void) => void) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let end: (e: ProcessExit) => void = () => {};
  const exited = new Promise<ProcessExit>((r) => {
    end = r;
  });
  const kill = () => {
    end({ exitCode: null, signal: 'SIGKILL' });
    return true;
  };
  const proc: HostProcess = { pid: 4242, stdin: null, stdout, stderr, exited, kill };
  let signals = 0;
  const dump = (file: string, afterMs = 0) => setTimeout(() => stderr.write(`[ perf record: Dump ${file} ]\n`), afterMs);
  const ok = (stdout = '', stderrText = ''): ExecResult => ({ exitCode: 0, stdout, stderr: stderrText });
  const host: Host = {
    name: 'scripted',
    kind: 'local',
    ...unusedHostMethods,
    exec: async (argv) => {
      if (argv[0] === 'test' || argv[0] === 'rm') return ok();
      if (argv[0] === 'kill') {
        expect(argv).toEqual(['kill', '-USR2', '777']);
        onSignal(++signals, dump);
        return ok();
      }
      if (argv[0] === 'perf') {
        const file = argv[3]!;
        const event = argv[6] === '--event=mmio' ? 'mmio' : 'vmexit';
        return ok('', captured(REPORTS[file]![event]));
      }
      throw new Error(`scripted perf: unexpected ${argv.join(' ')}`);
    },
    spawn: () => {
      setImmediate(() => stdout.write('777\n'));
      return proc;
    },
    readFile: async () => '',
    makeTempDir: async () => '/tmp/x',
    removeTree: async () => {},
  };
  return { host, signals: () => signals };
}

describe('PerfKvmRecorder segments', () => {
  it('sums one segment per reading', async () => {
    const perf = scriptedPerf((n, dump) => dump(`seg.${n}`, 5));
    const recorder = await PerfKvmRecorder.start(perf.host, 1, '/tmp/x', { nudgeAfterMs: 10_000 });
    expect((await recorder.read()).counts).toEqual(sum('seg.1'));
    expect((await recorder.read()).counts).toEqual(sum('seg.1', 'seg.2'));
    expect(perf.signals()).toBe(2);
    await recorder.stop();
  });

  it('nudges a segment that does not come, and a nudge that made one segment more has it summed by the next reading, not one reading late', async () => {
    // The first signal's segment is slow to write: the nudge lands after perf took the first
    // signal, so perf writes a second segment for it (seg.2) before the next reading asks.
    const perf = scriptedPerf((n, dump) => {
      if (n === 1) dump('seg.1', 80);
      if (n === 2) dump('seg.2', 120);
      if (n === 3) dump('seg.3', 5);
    });
    const recorder = await PerfKvmRecorder.start(perf.host, 1, '/tmp/x', { nudgeAfterMs: 40 });
    expect((await recorder.read()).counts).toEqual(sum('seg.1'));
    await new Promise((r) => setTimeout(r, 100));
    // The extra segment's events happened before this reading's signal: they are this reading's.
    expect((await recorder.read()).counts).toEqual(sum('seg.1', 'seg.2', 'seg.3'));
    expect(perf.signals()).toBe(3);
    await recorder.stop();
  });

  it('says so when no segment comes at all', async () => {
    const perf = scriptedPerf(() => {});
    const recorder = await PerfKvmRecorder.start(perf.host, 1, '/tmp/x', { nudgeAfterMs: 20 });
    const reading = recorder.read();
    await recorder.stop();
    await expect(reading).rejects.toThrow(/wrote no segment after SIGUSR2 \(it ended\)/);
    expect(perf.signals()).toBeGreaterThanOrEqual(1);
  });
});
