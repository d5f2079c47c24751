import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/suite/load.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { hvbench } from '../support/cli.ts';

// Suite files as users keep them: in a folder of their own, outside the checkout.
const real = { workloads, backends: ['tcg', 'kvm', 'xen', 'native'] };
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hvb-suites-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SUITE = `import { defineSuite } from 'hvbench';\nexport default defineSuite({ name: 'mine', repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] });\n`;

async function put(rel: string, text: string): Promise<string> {
  const file = path.join(dir, rel);
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file), { recursive: true }));
  await writeFile(file, text);
  return file;
}

describe("import 'hvbench' from a suite outside the checkout (the real CLI)", () => {
  it('works in a folder without package.json (loaded as CommonJS)', async () => {
    const file = await put('plain/suite.ts', SUITE);
    const r = await hvbench(['list', file]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('tcg/cpu/threads=1');
    expect(r.stdout).toContain('tcg/cpu/threads=2');
  });

  it('works in an ES module package ("type": "module")', async () => {
    await put('esm/package.json', '{ "type": "module" }\n');
    const file = await put('esm/suite.ts', SUITE);
    const r = await hvbench(['list', file]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('tcg/cpu/threads=2');
  });

  it('a module that does not exist is still a clear load error naming the file (exit 2)', async () => {
    const file = await put('plain/missing-dep.ts', `import { x } from 'hvbench-no-such-package';\nexport default x;\n`);
    const r = await hvbench(['list', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: the suite file failed to load`);
    expect(r.stderr).toContain('hvbench-no-such-package');
  });

  it('a suite whose export throws when read names the file (exit 2)', async () => {
    const file = await put('plain/proxy.ts', `export default new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });\n`);
    const r = await hvbench(['list', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: its export could not be read: trap`);
  });
});

describe('a suite that never finishes loading', () => {
  it('times out with an error naming the file instead of exiting 13 without a word', async () => {
    await put('esm/package.json', '{ "type": "module" }\n');
    const file = await put('esm/never.mjs', `await new Promise(() => {});\nexport default {};\n`);
    const started = Date.now();
    await expect(loadSuite(file, real, { timeoutMs: 500 })).rejects.toMatchObject({
      code: 'suite-import',
      message: `${file}: the suite file did not finish loading within 0.5 s (a top-level await that never settles?)`,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('suite checks', () => {
  const src = 'mine.ts';
  const problems = (value: unknown) => {
    try {
      resolveSuite(value, real, src);
    } catch (e) {
      return (e as Error).message.split('\n');
    }
    return [];
  };

  it('stopMetric must be a metric of the workloads', () => {
    expect(problems({ name: 'x', stopMetric: 'cpu.events_per_sec', workloads: [{ workload: 'cpu' }] })).toEqual([
      `${src}: stopMetric: unknown metric "cpu.events_per_sec" (did you mean "cpu.events_per_s"?); metrics of this suite's workloads: boot.guest_uptime_at_ready_s, boot.to_ready_ms, cpu.events_per_s, cpu.latency_avg_ms, cpu.latency_p95_ms, host.vmm_cpu_s, host.vmm_job_cpu_s, host.vmm_peak_rss_mib`,
    ]);
    // A metric one workload has and another lacks: the other would repeat to maxRepetitions for nothing.
    expect(problems({ name: 'x', stopMetric: 'cpu.events_per_s', workloads: [{ workload: 'cpu' }, { workload: 'memory' }] })).toEqual([
      `${src}: stopMetric: "cpu.events_per_s" is not measured by workload memory of this suite; expected a metric every workload measures, e.g. boot.to_ready_ms, boot.guest_uptime_at_ready_s, host.vmm_cpu_s, host.vmm_peak_rss_mib, host.vmm_job_cpu_s`,
    ]);
    expect(problems({ name: 'x', stopMetric: 'cpu.events_per_s', workloads: [{ workload: 'cpu' }] })).toEqual([]);
    expect(problems({ name: 'x', stopMetric: 'boot.to_ready_ms', workloads: [{ workload: 'cpu' }, { workload: 'disk' }] })).toEqual([]);
  });

  it('counts and sizes have upper bounds, each named', () => {
    expect(
      problems({
        name: 'x',
        repetitions: 1e9,
        maxRepetitions: 1e9,
        warmup: 1e6,
        timeBudgetSec: 1e12,
        guest: { vcpus: 1e4, memoryMiB: 1e12 },
        workloads: [{ workload: 'disk', params: { sizeMiB: 1e12, runtimeSec: 1e9 } }],
      }),
    ).toEqual([
      `${src}: guest.vcpus: expected an integer from 1 to 255, received 10000`,
      `${src}: guest.memoryMiB: expected an integer from 64 to 1048576, received 1000000000000`,
      `${src}: repetitions: expected an integer from 1 to 1000, received 1000000000`,
      `${src}: warmup: expected an integer from 0 to 100, received 1000000`,
      `${src}: maxRepetitions: expected an integer from 1 to 1000, received 1000000000`,
      `${src}: timeBudgetSec: expected a number > 0 and ≤ 604800, received 1000000000000`,
      `${src}: workloads[0].params.sizeMiB: expected an integer from 16 to 1048576, received 1000000000000`,
      `${src}: workloads[0].params.runtimeSec: expected an integer from 1 to 600, received 1000000000`,
    ]);
  });

  it('reports unknown and bad parameters, and bad fields, all at once', () => {
    expect(
      problems({ name: 'x', repetitions: 0, stopMetric: 'nope', workloads: [{ workload: 'cpu', params: { threds: 2, timeSec: -1 } }, { workload: 'cpuu' }] }),
    ).toEqual([
      `${src}: repetitions: expected an integer from 1 to 1000, received 0`,
      `${src}: workloads[0].params.threds: unknown parameter "threds" (did you mean "threads"?); workload cpu takes: maxPrime, threads, timeSec`,
      `${src}: workloads[1].workload: unknown workload "cpuu" (did you mean "cpu"?); known workloads: boot, cpu, cyclictest, disk, fs, hackbench, memory, micro, net, stream`,
      expect.stringMatching(/^mine\.ts: stopMetric: unknown metric "nope"/),
      `${src}: workloads[0].params.timeSec: expected an integer from 1 to 3600, received -1`,
    ]);
  });
});
